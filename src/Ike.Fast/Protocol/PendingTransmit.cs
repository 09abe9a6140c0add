using System.Net;

namespace Ike.Fast.Protocol;

/// <summary>A queued outgoing datagram (pooled buffer, returned on dequeue).</summary>
internal readonly record struct PendingTransmit(byte[] Buffer, int Length, IPEndPoint Local, IPEndPoint Remote);
