using System.Net;

namespace Ike.Fast.Host.Transport;

/// <summary>A datagram written into the caller's buffer: its length and the addresses it travelled between.</summary>
public readonly record struct ReceivedDatagram(int Length, IPEndPoint Local, IPEndPoint Remote);
