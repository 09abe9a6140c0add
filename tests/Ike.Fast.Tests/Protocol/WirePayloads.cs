using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Payload sets of cleartext messages (test helper).</summary>
internal static class WirePayloads
{
    public static PayloadSet Cleartext(byte[] message)
    {
        Assert.True(IsakmpMessageReader.TryCreate(message, out IsakmpMessageReader reader, out _));
        PayloadSet set = PayloadSet.None;
        while (reader.TryReadNext(out RawPayload p))
        {
            set |= p.Type == PayloadType.Identification && (set & PayloadSet.Id) != 0 ? PayloadSet.Id2 : p.Type.ToSet();
        }

        return set;
    }
}
