using Ike.Fast.Diagnostics;

namespace Ike.Fast.Tests.Captures;

/// <summary>A UDP datagram on an IKE port read from a capture file (copied out of the file for test convenience).</summary>
internal sealed record CapturedDatagram(int FrameNumber, string Source, string Destination, IkeDatagramKind Kind, bool NonEspMarker, byte[] Isakmp);
