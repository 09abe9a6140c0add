using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Policy;
using Ike.Fast.Protocol.Transaction;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Mode-Config (draft-dukes-ike-mode-cfg) over the Transaction exchange, after XAUTH when both run: pull (client
/// REQUEST → server REPLY) or push (server SET → client ACK); addresses leased from <see cref="AddressPool"/>s
/// without duplicates and released with the ISAKMP SA; DNS servers, Cisco Unity split-include and banner.
/// </summary>
public sealed partial class Endpoint
{
    private const int UnitySplitEntryLength = 14;
    private const int Ipv6AddressAttributeLength = 17;

    /// <summary>XAUTH is done (or not configured): Mode-Config next, then the pending Quick Modes.</summary>
    private void AfterExtendedAuthentication(IkeSa sa, long now)
    {
        ModeConfigSettings? mc = sa.Peer.ModeConfig;
        if (mc?.Role == ModeConfigRole.Client && !mc.Push && !sa.ModeConfigDone)
        {
            TransactionExchange tx = NewTransaction(sa, TransactionKind.ModeConfigRequest);
            SendTransaction(now, sa, tx.MessageId, ref tx.Iv, tx.Flight, ConfigurationType.Request, tx.Identifier, TransactionBody.ModeConfigRequest, 0, awaitingReply: true);
        }
        else if (mc?.Role == ModeConfigRole.Server && mc.Push)
        {
            if (!TryLease(sa, now))
            {
                return;
            }

            TransactionExchange tx = NewTransaction(sa, TransactionKind.ModeConfigSet);
            SendTransaction(now, sa, tx.MessageId, ref tx.Iv, tx.Flight, ConfigurationType.Set, tx.Identifier, TransactionBody.ModeConfigAssign, 0, awaitingReply: true);
        }

        if (sa.ModeConfigDone)
        {
            StartPendingChildren(sa, now);
        }
    }

    /// <summary>A peer's Mode-Config REQUEST (we serve: REPLY) or SET (we are the client: ACK).</summary>
    private void OnModeConfigRequest(long now, IkeSa sa, uint mid, ref CbcIvChain iv, in AttributePayload attr)
    {
        ModeConfigSettings? mc = sa.Peer.ModeConfig;
        if (attr.Type == ConfigurationType.Request && mc?.Role == ModeConfigRole.Server && sa.XauthDone)
        {
            if (TryLease(sa, now))
            {
                SendTransaction(now, sa, mid, ref iv, null, ConfigurationType.Reply, attr.Identifier, TransactionBody.ModeConfigAssign, 0, false);
            }

            return;
        }

        if (attr.Type == ConfigurationType.Set && mc?.Role == ModeConfigRole.Client && sa.XauthDone)
        {
            // Parsed first: attr points into the scratch buffer the ACK is built in.
            ModeConfigAttributes pushed = ParseModeConfig(in attr);
            SendTransaction(now, sa, mid, ref iv, null, ConfigurationType.Acknowledge, attr.Identifier, TransactionBody.ModeConfigAck, 0, false);
            Configured(sa, now, pushed);
            return;
        }

        Drop(DiagnosticCode.UnexpectedMessage, sa, now, $"Mode-Config {attr.Type} not expected here");
    }

    /// <summary>The answer to our REQUEST (client pull) or SET (server push).</summary>
    private void OnModeConfigReply(long now, IkeSa sa, TransactionExchange ours, in AttributePayload attr)
    {
        if (ours.Kind == TransactionKind.ModeConfigRequest && attr.Type == ConfigurationType.Reply)
        {
            Configured(sa, now, ParseModeConfig(in attr));
            return;
        }

        if (ours.Kind == TransactionKind.ModeConfigSet && attr.Type == ConfigurationType.Acknowledge)
        {
            Diagnose(DiagnosticCode.None, sa, now, "Mode-Config SET acknowledged");
            return;
        }

        Drop(DiagnosticCode.Malformed, sa, now, $"Mode-Config {attr.Type} does not answer our {ours.Kind}");
    }

    private static ModeConfigAttributes ParseModeConfig(in AttributePayload attr)
    {
        var result = new ModeConfigAttributes();
        DataAttributeReader r = attr.Attributes;
        while (r.TryReadNext(out DataAttribute a))
        {
            ReadOnlySpan<byte> v = a.VariableValue;
            switch (a.Type)
            {
                case (ushort)ConfigurationAttributeType.InternalIp4Address when v.Length == 4:
                case (ushort)ConfigurationAttributeType.InternalIp6Address when v.Length == Ipv6AddressAttributeLength:
                    result.Addresses.Add(new IPAddress(v.Length == 4 ? v : v[..16]));
                    break;
                case (ushort)ConfigurationAttributeType.InternalIp4Dns or (ushort)ConfigurationAttributeType.InternalIp6Dns when v.Length is 4 or 16:
                    result.Dns.Add(new IPAddress(v));
                    break;
                case (ushort)UnityAttributeType.SplitInclude:
                    for (int i = 0; i + UnitySplitEntryLength <= v.Length; i += UnitySplitEntryLength)
                    {
                        int prefix = System.Numerics.BitOperations.PopCount(BinaryPrimitives.ReadUInt32BigEndian(v[(i + 4)..]));
                        result.SplitInclude.Add(new TrafficSelector(new IPAddress(v.Slice(i, 4)), prefix));
                    }

                    break;
                case (ushort)UnityAttributeType.Banner:
                    result.Banner = Encoding.UTF8.GetString(v);
                    break;
            }
        }

        return result;
    }

    private void Configured(IkeSa sa, long now, ModeConfigAttributes result)
    {
        sa.AssignedConfiguration = result;
        sa.ModeConfigDone = true;
        Emit(new EngineEvent
        {
            Kind = EngineEventKind.ConfigurationReceived,
            Time = now,
            Connection = sa.Peer.Name,
            InitiatorCookie = sa.InitiatorCookie,
            ResponderCookie = sa.ResponderCookie,
            Peer = sa.Remote,
            IsInitiator = sa.IsInitiator,
            Configuration = result,
            Message = $"virtual address {string.Join(", ", result.Addresses)}, DNS {string.Join(", ", result.Dns)}",
        });
        StartPendingChildren(sa, now);
    }

    /// <summary>Leases one address per configured pool (once per SA); false (SA deleted) when a pool is exhausted.</summary>
    private bool TryLease(IkeSa sa, long now)
    {
        if (!sa.Leases.IsEmpty)
        {
            return true;
        }

        ModeConfigSettings mc = sa.Peer.ModeConfig!;
        foreach (AddressPool? pool in (ReadOnlySpan<AddressPool?>)[mc.Ipv4Pool, mc.Ipv6Pool])
        {
            if (pool is null)
            {
                continue;
            }

            if (!pool.TryAllocate(out IPAddress? address))
            {
                Diagnose(DiagnosticCode.PoolExhausted, sa, now, $"pool {pool.Prefix} exhausted");
                DeleteIkeSa(sa.InitiatorCookie, sa.ResponderCookie, now, notifyPeer: true);
                return false;
            }

            sa.AddLease(pool, address!);
        }

        return true;
    }

    /// <summary>The addresses leased to <paramref name="sa"/> (status and SA-event lists).</summary>
    private static List<IPAddress> LeasedAddresses(IkeSa sa)
    {
        var addresses = new List<IPAddress>(sa.Leases.Length);
        foreach ((AddressPool _, IPAddress address) in sa.Leases)
        {
            addresses.Add(address);
        }

        return addresses;
    }

    private static void ReleaseLeases(IkeSa sa)
    {
        foreach ((AddressPool pool, IPAddress address) in sa.Leases)
        {
            pool.Release(address);
        }

        sa.ClearLeases();
    }

    private static void WriteModeConfigAttributes(ref IsakmpWriter w, IkeSa sa)
    {
        ModeConfigSettings mc = sa.Peer.ModeConfig!;
        Span<byte> v = stackalloc byte[Ipv6AddressAttributeLength];
        foreach ((AddressPool _, IPAddress address) in sa.Leases)
        {
            address.TryWriteBytes(v, out int n);
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.InternalIp4Address, v[..n]);
            }
            else
            {
                v[16] = 128; // RFC 3162 style: address + prefix length, one host
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.InternalIp6Address, v);
            }
        }

        foreach (IPAddress dns in mc.Dns)
        {
            dns.TryWriteBytes(v, out int n);
            w.WriteVariableAttribute((ushort)(n == 4 ? ConfigurationAttributeType.InternalIp4Dns : ConfigurationAttributeType.InternalIp6Dns), v[..n]);
        }

        if (mc.SplitInclude.Count > 0)
        {
            Span<byte> split = stackalloc byte[UnitySplitEntryLength * Math.Min(mc.SplitInclude.Count, 64)];
            split.Clear();
            int count = 0;
            foreach (TrafficSelector ts in mc.SplitInclude)
            {
                if (count == 64 || ts.Network is null || ts.Network.AddressFamily != AddressFamily.InterNetwork)
                {
                    continue;
                }

                Span<byte> e = split.Slice(count * UnitySplitEntryLength, UnitySplitEntryLength);
                ts.Network.TryWriteBytes(e, out _);
                BinaryPrimitives.WriteUInt32BigEndian(e[4..], ts.PrefixLength == 0 ? 0 : uint.MaxValue << (32 - ts.PrefixLength));
                count++;
            }

            w.WriteVariableAttribute((ushort)UnityAttributeType.SplitInclude, split[..(count * UnitySplitEntryLength)]);
        }

        if (mc.Banner is { } banner)
        {
            w.WriteVariableAttribute((ushort)UnityAttributeType.Banner, Encoding.UTF8.GetBytes(banner));
        }
    }

    /// <summary>Our <c>dynamic</c> selector: the Mode-Config virtual address once assigned (road warrior), else the SA's.</summary>
    private static readonly List<IPAddress> s_noAddresses = [];

    private static IPAddress LocalSelectorAddress(IkeSa sa)
    {
        IPAddress local = sa.Local.Address;
        foreach (IPAddress a in sa.AssignedConfiguration is { } assigned ? assigned.Addresses : s_noAddresses)
        {
            if (a.AddressFamily == TrafficSelectorCodec.Unmap(local).AddressFamily)
            {
                return a;
            }
        }

        return local;
    }

    /// <summary>The peer's <c>dynamic</c> selector: the address we leased it (gateway), else its SA address.</summary>
    private static IPAddress RemoteSelectorAddress(IkeSa sa)
    {
        IPAddress remote = sa.Remote.Address;
        foreach ((AddressPool _, IPAddress a) in sa.Leases)
        {
            if (a.AddressFamily == TrafficSelectorCodec.Unmap(remote).AddressFamily)
            {
                return a;
            }
        }

        return remote;
    }
}
