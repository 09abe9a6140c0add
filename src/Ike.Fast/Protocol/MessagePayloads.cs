using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Where each payload of one message is: body offsets into the chain span (a datagram or a decrypted body), so a
/// message is walked and validated once and its payloads then read without a second walk. Holds no references:
/// the caller keeps the span. Up to eight Notification, Delete and Vendor ID payloads are remembered each; further
/// ones are counted in <see cref="Present"/> only.
/// </summary>
internal struct MessagePayloads
{
    public PayloadSet Present;
    public (int Start, int Length) Sa;
    public (int Start, int Length) Ke;
    public (int Start, int Length) Id;
    public (int Start, int Length) Id2;
    public (int Start, int Length) Hash;
    public (int Start, int Length) Nonce;
    public (int Start, int Length) Signature;
    public (int Start, int Length) Attribute;

    /// <summary>Offset just after the first payload (HASH in Phase 2 / Informational messages): start of the hashed rest.</summary>
    public int AfterFirst;

    /// <summary>Length of the payload chain without padding.</summary>
    public int ChainLength;

    public int NotifyCount;
    public RangeBuffer8 Notifies;
    public int DeleteCount;
    public RangeBuffer8 Deletes;
    public int VendorIdCount;
    public RangeBuffer8 VendorIds;
    public int CertCount;
    public RangeBuffer8 Certs;
    public int NatDiscoveryCount;
    public RangeBuffer8 NatDiscoveries;
    public WireFault Fault;

    /// <summary>Walks a chain (strict for cleartext datagrams, padding-tolerant for decrypted bodies).</summary>
    public static bool TryParse(ref PayloadChainReader reader, out MessagePayloads m)
    {
        m = default;
        bool first = true;
        while (reader.TryReadNext(out RawPayload p))
        {
            var range = (p.BodyOffset, p.Body.Length);
            if (first)
            {
                m.AfterFirst = p.Offset + p.Length;
                first = false;
            }

            switch (p.Type)
            {
                case PayloadType.SecurityAssociation:
                    SetOnce(ref m.Sa, range, ref m, PayloadSet.Sa);
                    break;
                case PayloadType.KeyExchange:
                    SetOnce(ref m.Ke, range, ref m, PayloadSet.Ke);
                    break;
                case PayloadType.Identification:
                    if ((m.Present & PayloadSet.Id) == 0)
                    {
                        m.Id = range;
                        m.Present |= PayloadSet.Id;
                    }
                    else
                    {
                        SetOnce(ref m.Id2, range, ref m, PayloadSet.Id2);
                    }

                    break;
                case PayloadType.Hash:
                    SetOnce(ref m.Hash, range, ref m, PayloadSet.Hash);
                    break;
                case PayloadType.Nonce:
                    SetOnce(ref m.Nonce, range, ref m, PayloadSet.Nonce);
                    break;
                case PayloadType.Signature:
                    SetOnce(ref m.Signature, range, ref m, PayloadSet.Signature);
                    break;
                case PayloadType.Notification:
                    if (m.NotifyCount < 8)
                    {
                        m.Notifies[m.NotifyCount++] = range;
                    }

                    m.Present |= PayloadSet.Notify;
                    break;
                case PayloadType.Delete:
                    if (m.DeleteCount < 8)
                    {
                        m.Deletes[m.DeleteCount++] = range;
                    }

                    m.Present |= PayloadSet.Delete;
                    break;
                case PayloadType.Certificate:
                    if (m.CertCount < 8)
                    {
                        m.Certs[m.CertCount++] = range;
                    }

                    m.Present |= PayloadSet.Cert;
                    break;
                case PayloadType.VendorId:
                    if (m.VendorIdCount < 8)
                    {
                        m.VendorIds[m.VendorIdCount++] = range;
                    }

                    m.Present |= PayloadSet.VendorId;
                    break;
                case PayloadType.Attribute:
                    SetOnce(ref m.Attribute, range, ref m, PayloadSet.Attribute);
                    break;
                case PayloadType.NatDiscovery or PayloadType.NatDiscoveryDraft:
                    if (m.NatDiscoveryCount < 8)
                    {
                        m.NatDiscoveries[m.NatDiscoveryCount++] = range;
                    }

                    m.Present |= PayloadSet.NatDiscovery;
                    break;
                default:
                    m.Present |= p.Type.ToSet();
                    break;
            }
        }

        m.Fault = reader.Fault;
        m.ChainLength = reader.ChainLength;
        return reader.IsComplete && m.Fault.Error == WireError.None;
    }

    /// <summary>A second SA/KE/NONCE/HASH is a protocol error (RFC 2409 §5): flag it as a duplicate via Other.</summary>
    private static void SetOnce(ref (int, int) slot, (int, int) range, ref MessagePayloads m, PayloadSet bit)
    {
        if ((m.Present & bit) != 0)
        {
            m.Present |= PayloadSet.Other;
            return;
        }

        slot = range;
        m.Present |= bit;
    }
}
