using System.Net;
using System.Net.Sockets;
using Ike.Native.Xfrm;

namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>
/// Real kernel state through the shim, in a throw-away namespace, read back with `ip -n NS xfrm ...`.
/// Kernels without ESP (like the development machine's) refuse SAs with EPROTONOSUPPORT; the SA test accepts that
/// documented refusal and checks the installed state when the kernel has ESP.
/// </summary>
public sealed class XfrmSocketKernelTests : IClassFixture<XfrmNamespace>
{
    private static readonly byte[] AesKey = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
    private static readonly byte[] Sha256Key = new byte[32];

    private readonly XfrmNamespace _ns;

    public XfrmSocketKernelTests(XfrmNamespace ns)
    {
        _ns = ns;
    }

    [RootFact]
    public void TunnelPolicyIsInstalledReadBackAndDeleted()
    {
        using XfrmSocket xfrm = Open();
        XfrmTemplate[] templates = [Template("192.0.2.1", "198.51.100.2", XfrmMode.Tunnel, 7)];
        var policy = new XfrmPolicyParameters
        {
            Selector = Subnets("10.1.0.0", 16, "10.2.0.0", 16),
            Direction = XfrmPolicyDirection.Out,
            Priority = 1000,
            Templates = templates,
        };
        Assert.Equal(XfrmStatus.Success, xfrm.AddPolicy(policy));

        IpXfrmOutput installed = Assert.Single(Policies(), p => p.Get("src") == "10.1.0.0/16");
        Assert.Equal("10.2.0.0/16", installed.Get("dst"));
        Assert.Equal("out", installed.Get("dir"));
        Assert.Equal("1000", installed.Get("priority"));
        Assert.Equal("192.0.2.1", installed.Template("src"));
        Assert.Equal("198.51.100.2", installed.Template("dst"));
        Assert.Equal("esp", installed.Template("proto"));
        Assert.Equal("7", installed.Template("reqid"));
        Assert.Equal("tunnel", installed.Template("mode"));

        Assert.Equal(XfrmStatus.AlreadyExists, xfrm.AddPolicy(policy));
        Assert.Equal(XfrmStatus.Success, xfrm.DeletePolicy(policy.Selector, XfrmPolicyDirection.Out));
        Assert.DoesNotContain(Policies(), p => p.Get("src") == "10.1.0.0/16");
        Assert.Equal(XfrmStatus.NotFound, xfrm.DeletePolicy(policy.Selector, XfrmPolicyDirection.Out));
    }

    [RootFact]
    public void TransportPoliciesInAndOutWithPortsAreInstalled()
    {
        using XfrmSocket xfrm = Open();
        XfrmTemplate[] templates = [Template(null, null, XfrmMode.Transport, 9)];
        var selectorOut = new XfrmSelector
        {
            Family = AddressFamily.InterNetwork,
            Source = XfrmAddress.Parse("10.7.0.1"),
            SourcePrefixLength = 32,
            Destination = XfrmAddress.Parse("10.7.0.2"),
            DestinationPrefixLength = 32,
            Protocol = 17,
            SourcePort = 1701,
            DestinationPort = 1701,
        };
        var selectorIn = selectorOut;
        selectorIn.Source = selectorOut.Destination;
        selectorIn.Destination = selectorOut.Source;

        Assert.Equal(XfrmStatus.Success, xfrm.AddPolicy(new XfrmPolicyParameters
        {
            Selector = selectorOut,
            Direction = XfrmPolicyDirection.Out,
            Templates = templates,
        }));
        Assert.Equal(XfrmStatus.Success, xfrm.UpdatePolicy(new XfrmPolicyParameters
        {
            Selector = selectorIn,
            Direction = XfrmPolicyDirection.In,
            Templates = templates,
        }));

        IpXfrmOutput output = Assert.Single(Policies(), p => p.Get("src") == "10.7.0.1/32");
        Assert.Equal("out", output.Get("dir"));
        Assert.Equal("udp", output.Get("proto"));
        Assert.Equal("1701", output.Get("sport"));
        Assert.Equal("1701", output.Get("dport"));
        Assert.Equal("transport", output.Template("mode"));
        Assert.Equal("9", output.Template("reqid"));
        IpXfrmOutput input = Assert.Single(Policies(), p => p.Get("src") == "10.7.0.2/32");
        Assert.Equal("in", input.Get("dir"));

        Assert.Equal(XfrmStatus.Success, xfrm.DeletePolicy(selectorOut, XfrmPolicyDirection.Out));
        Assert.Equal(XfrmStatus.Success, xfrm.DeletePolicy(selectorIn, XfrmPolicyDirection.In));
        Assert.DoesNotContain(Policies(), p => p.Get("src") is "10.7.0.1/32" or "10.7.0.2/32");
    }

    [RootFact]
    public void Ipv6ForwardPolicyIsInstalledAndDeleted()
    {
        using XfrmSocket xfrm = Open();
        XfrmTemplate[] templates =
        [
            new XfrmTemplate
            {
                Family = AddressFamily.InterNetworkV6,
                Source = XfrmAddress.Parse("2001:db8::2"),
                Destination = XfrmAddress.Parse("2001:db8::1"),
                Protocol = XfrmProtocol.Esp,
                Mode = XfrmMode.Tunnel,
                ReqId = 61,
            },
        ];
        XfrmSelector selector = XfrmSelector.ForSubnets(AddressFamily.InterNetworkV6, XfrmAddress.Parse("2001:db8:2::"), 48,
            XfrmAddress.Parse("2001:db8:1::"), 48);
        Assert.Equal(XfrmStatus.Success, xfrm.AddPolicy(new XfrmPolicyParameters
        {
            Selector = selector,
            Direction = XfrmPolicyDirection.Forward,
            Templates = templates,
        }));
        IpXfrmOutput installed = Assert.Single(Policies(), p => p.Get("src") == "2001:db8:2::/48");
        Assert.Equal("2001:db8:1::/48", installed.Get("dst"));
        Assert.Equal("fwd", installed.Get("dir"));
        Assert.Equal("2001:db8::2", installed.Template("src"));
        Assert.Equal("2001:db8::1", installed.Template("dst"));
        Assert.Equal("61", installed.Template("reqid"));
        Assert.Equal(XfrmStatus.Success, xfrm.DeletePolicy(selector, XfrmPolicyDirection.Forward));
        Assert.DoesNotContain(Policies(), p => p.Get("src") == "2001:db8:2::/48");
    }

    [RootFact]
    public void SpiIsAllocatedInRangeAndItsLarvalSaDeleted()
    {
        using XfrmSocket xfrm = Open();
        XfrmAddress src = XfrmAddress.Parse("10.3.0.1"), dst = XfrmAddress.Parse("10.3.0.2");
        XfrmStatus status = xfrm.AllocateSpi(src, dst, AddressFamily.InterNetwork, XfrmProtocol.Esp, 0x1000, 0x1fff, out uint spi,
            XfrmMode.Tunnel, reqId: 12);
        Assert.Equal(XfrmStatus.Success, status);
        Assert.InRange(spi, 0x1000u, 0x1fffu);

        IpXfrmOutput state = Assert.Single(States(), s => s.Get("dst") == "10.3.0.2");
        Assert.Equal($"0x{spi:x8}", state.Get("spi"));
        Assert.Equal("12", state.Get("reqid"));

        Assert.Equal(XfrmStatus.Success, xfrm.DeleteSa(src, dst, AddressFamily.InterNetwork, XfrmProtocol.Esp, spi));
        Assert.DoesNotContain(States(), s => s.Get("dst") == "10.3.0.2");
        Assert.Equal(XfrmStatus.NotFound, xfrm.DeleteSa(src, dst, AddressFamily.InterNetwork, XfrmProtocol.Esp, spi));
    }

    [RootFact]
    public void SaIsInstalledOrRefusedWithProtocolNotSupported()
    {
        using XfrmSocket xfrm = Open();
        var sa = new XfrmSaParameters
        {
            Family = AddressFamily.InterNetwork,
            Source = XfrmAddress.Parse("10.4.0.1"),
            Destination = XfrmAddress.Parse("10.4.0.2"),
            Spi = 0xc0de0001,
            Protocol = XfrmProtocol.Esp,
            Mode = XfrmMode.Tunnel,
            ReqId = 4,
            ReplayWindow = 32,
            Encryption = XfrmEncryptionAlgorithm.AesCbc,
            EncryptionKey = AesKey,
            Integrity = XfrmIntegrityAlgorithm.HmacSha256_128,
            IntegrityKey = Sha256Key,
            Lifetime = new XfrmLifetime { SoftAddExpiresSeconds = 3000, HardAddExpiresSeconds = 3600 },
        };
        XfrmStatus status = xfrm.AddSa(sa);
        if (status == XfrmStatus.ProtocolNotSupported)
        {
            // This kernel has no esp4 xfrm type ("Requested type not found" from ip): nothing may be installed.
            Assert.DoesNotContain(States(), s => s.Get("dst") == "10.4.0.2");
            return;
        }

        Assert.Equal(XfrmStatus.Success, status);
        IpXfrmOutput state = Assert.Single(States(), s => s.Get("dst") == "10.4.0.2");
        Assert.Equal("0xc0de0001", state.Get("spi"));
        Assert.Equal("tunnel", state.Get("mode"));
        Assert.Contains("cbc(aes)", state.Text);
        Assert.Contains("hmac(sha256)", state.Text);
        Assert.Equal(XfrmStatus.AlreadyExists, xfrm.AddSa(sa));
        Assert.Equal(XfrmStatus.Success, xfrm.UpdateSa(sa));
        Assert.Equal(XfrmStatus.Success, xfrm.DeleteSa(sa.Source, sa.Destination, sa.Family, sa.Protocol, sa.Spi));
    }

    [RootFact]
    public void InvalidParametersAreRefusedBeforeTheKernel()
    {
        using XfrmSocket xfrm = Open();
        var badKey = new XfrmSaParameters
        {
            Family = AddressFamily.InterNetwork,
            Source = XfrmAddress.Parse("10.4.1.1"),
            Destination = XfrmAddress.Parse("10.4.1.2"),
            Spi = 1,
            Protocol = XfrmProtocol.Esp,
            Encryption = XfrmEncryptionAlgorithm.AesCbc,
            EncryptionKey = AesKey.AsSpan(0, 15),
        };
        Assert.Equal(XfrmStatus.InvalidArgument, xfrm.AddSa(badKey));
        var aeadWithAuth = badKey;
        aeadWithAuth.Encryption = XfrmEncryptionAlgorithm.AesGcm16;
        aeadWithAuth.EncryptionKey = new byte[20];
        aeadWithAuth.Integrity = XfrmIntegrityAlgorithm.HmacSha1_96;
        aeadWithAuth.IntegrityKey = new byte[20];
        Assert.Equal(XfrmStatus.InvalidArgument, xfrm.AddSa(aeadWithAuth));
        Assert.Equal(XfrmStatus.InvalidArgument, xfrm.AllocateSpi(badKey.Source, badKey.Destination, AddressFamily.InterNetwork,
            XfrmProtocol.Esp, 0x2000, 0x1000, out _));
    }

    [RootFact]
    public void BatchSendsAllMessagesInOneCallAndReportsEachOutcome()
    {
        using XfrmSocket xfrm = Open();
        using var batch = new XfrmBatch();
        XfrmTemplate[] templates = [Template("192.0.2.1", "198.51.100.2", XfrmMode.Tunnel, 20)];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(XfrmStatus.Success, batch.AddPolicy(new XfrmPolicyParameters
            {
                Selector = Subnets($"10.20.{i}.0", 24, "10.30.0.0", 16),
                Direction = XfrmPolicyDirection.Out,
                Templates = templates,
            }));
        }

        Assert.Equal(XfrmStatus.Success, batch.AddPolicy(new XfrmPolicyParameters
        {
            Selector = Subnets("10.20.0.0", 24, "10.30.0.0", 16),
            Direction = XfrmPolicyDirection.Out,
            Templates = templates,
        }));
        Assert.Equal(XfrmStatus.Success, batch.DeletePolicy(Subnets("10.99.0.0", 24, "10.98.0.0", 24), XfrmPolicyDirection.In));
        Assert.Equal(5, batch.Count);

        Span<XfrmStatus> results = stackalloc XfrmStatus[5];
        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results));
        Assert.Equal(
            [XfrmStatus.Success, XfrmStatus.Success, XfrmStatus.Success, XfrmStatus.AlreadyExists, XfrmStatus.NotFound],
            results.ToArray());
        Assert.Equal(0, batch.Count);
        Assert.Equal(3, Policies().Count(p => p.Get("dst") == "10.30.0.0/16"));

        for (int i = 0; i < 3; i++)
        {
            batch.DeletePolicy(Subnets($"10.20.{i}.0", 24, "10.30.0.0", 16), XfrmPolicyDirection.Out);
        }

        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results));
        Assert.All(results[..3].ToArray(), r => Assert.Equal(XfrmStatus.Success, r));
        Assert.DoesNotContain(Policies(), p => p.Get("dst") == "10.30.0.0/16");
    }

    /// <summary>
    /// A GET answered in the same batch as the adds carries each policy's kernel index (the value slot), and a delete by
    /// that index removes exactly that policy; a second delete by the same index finds nothing.
    /// </summary>
    [RootFact]
    public void GetPolicyAnswersWithTheIndexThatDeleteByIndexRemoves()
    {
        using XfrmSocket xfrm = Open();
        using var batch = new XfrmBatch();
        XfrmTemplate[] templates = [Template("192.0.2.1", "198.51.100.2", XfrmMode.Tunnel, 71)];
        XfrmSelector a = Subnets("10.71.0.0", 16, "198.51.100.71", 32);
        XfrmSelector b = Subnets("10.71.0.0", 16, "198.51.100.72", 32);
        foreach (var selector in (ReadOnlySpan<XfrmSelector>)[a, b])
        {
            batch.AddPolicy(new XfrmPolicyParameters { Selector = selector, Direction = XfrmPolicyDirection.Out, Templates = templates });
        }

        batch.GetPolicy(a, XfrmPolicyDirection.Out);
        batch.GetPolicy(b, XfrmPolicyDirection.Out);
        batch.GetPolicy(Subnets("10.99.0.0", 16, "198.51.100.99", 32), XfrmPolicyDirection.Out);
        Span<XfrmStatus> results = stackalloc XfrmStatus[5];
        Span<uint> values = stackalloc uint[5];
        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results, values));
        Assert.Equal([XfrmStatus.Success, XfrmStatus.Success, XfrmStatus.Success, XfrmStatus.Success, XfrmStatus.NotFound],
            results.ToArray());
        Assert.Equal([0u, 0u], values[..2].ToArray());
        uint indexA = values[2], indexB = values[3];
        Assert.NotEqual(0u, indexA);
        Assert.NotEqual(indexA, indexB);
        // ip xfrm policy shows the same index; the kernel keeps the direction in the low three bits.
        Assert.Matches($@"dst 198\.51\.100\.71/32[^\n]*\n[^\n]* index {indexA} ", _ns.Ip("-s", "xfrm", "policy"));
        Assert.Equal((uint)XfrmPolicyDirection.Out, indexA & 7);

        batch.DeletePolicy(indexA, XfrmPolicyDirection.Out);
        batch.DeletePolicy(indexA, XfrmPolicyDirection.Out);
        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results));
        Assert.Equal([XfrmStatus.Success, XfrmStatus.NotFound], results[..2].ToArray());
        Assert.DoesNotContain(Policies(), p => p.Get("dst") == "198.51.100.71/32");
        Assert.Single(Policies(), p => p.Get("dst") == "198.51.100.72/32");
        Assert.Equal(XfrmStatus.Success, xfrm.DeletePolicy(b, XfrmPolicyDirection.Out));
    }

    /// <summary>
    /// A batch goes without per-message acks and ends with a barrier (NLMSG_NOOP with NLM_F_ACK): the kernel's refusals
    /// still reach the message that caused them (by sequence number), between successes, next to a GET's answer.
    /// </summary>
    [RootFact]
    public void RefusalsInsideABarrierBatchAreMappedToTheirMessages()
    {
        using XfrmSocket xfrm = Open();
        using var batch = new XfrmBatch();
        XfrmTemplate[] templates = [Template("192.0.2.1", "198.51.100.2", XfrmMode.Tunnel, 72)];
        XfrmSelector a = Subnets("10.72.0.0", 16, "198.51.100.73", 32);
        XfrmSelector b = Subnets("10.72.0.0", 16, "198.51.100.74", 32);
        var badSelector = Subnets("10.72.0.0", 16, "198.51.100.75", 32);
        badSelector.DestinationPrefixLength = 33; // verify_newpolicy_info: EINVAL for an IPv4 prefix beyond 32
        batch.AddPolicy(new XfrmPolicyParameters { Selector = a, Direction = XfrmPolicyDirection.Out, Templates = templates });
        batch.AddPolicy(new XfrmPolicyParameters { Selector = badSelector, Direction = XfrmPolicyDirection.Out, Templates = templates });
        batch.AddPolicy(new XfrmPolicyParameters { Selector = a, Direction = XfrmPolicyDirection.Out, Templates = templates });
        // A chosen index whose low bits are not the direction: EINVAL (the installer's fallback case).
        batch.AddPolicy(new XfrmPolicyParameters { Selector = b, Direction = XfrmPolicyDirection.Out, Templates = templates, Index = 0x8000_0100 });
        batch.GetPolicy(a, XfrmPolicyDirection.Out);
        batch.DeletePolicy(Subnets("10.99.0.0", 16, "198.51.100.99", 32), XfrmPolicyDirection.In);
        batch.AddPolicy(new XfrmPolicyParameters { Selector = b, Direction = XfrmPolicyDirection.Out, Templates = templates });
        Span<XfrmStatus> results = stackalloc XfrmStatus[7];
        Span<uint> values = stackalloc uint[7];

        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results, values));

        Assert.Equal(
            [XfrmStatus.Success, XfrmStatus.InvalidArgument, XfrmStatus.AlreadyExists, XfrmStatus.InvalidArgument, XfrmStatus.Success,
             XfrmStatus.NotFound, XfrmStatus.Success],
            results.ToArray());
        Assert.NotEqual(0u, values[4]);
        Assert.Equal((uint)XfrmPolicyDirection.Out, values[4] & 7);
        Assert.Single(Policies(), p => p.Get("dst") == "198.51.100.73/32");
        Assert.Single(Policies(), p => p.Get("dst") == "198.51.100.74/32");
        Assert.DoesNotContain(Policies(), p => p.Get("dst") == "198.51.100.75/32");

        // The socket's sequence numbers stay in step after a barrier: a single message and a batch of one still match.
        Assert.Equal(XfrmStatus.Success, xfrm.DeletePolicy(a, XfrmPolicyDirection.Out));
        batch.DeletePolicy(b, XfrmPolicyDirection.Out);
        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results));
        Assert.Equal(XfrmStatus.Success, results[0]);
        Assert.DoesNotContain(Policies(), p => p.Get("dst") is "198.51.100.73/32" or "198.51.100.74/32");
    }

    [RootFact]
    public void LargeBatchOfPoliciesIsAcknowledgedInFull()
    {
        // 900 x 252 bytes: beyond the default netlink send buffer (212 KiB), so this also checks the enlarged one.
        const int Count = 900;
        using XfrmSocket xfrm = Open();
        using var batch = new XfrmBatch(Count * 256);
        XfrmStatus[] results = new XfrmStatus[Count];
        XfrmTemplate[] templates = [Template("192.0.2.1", "198.51.100.2", XfrmMode.Tunnel, 70)];
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal(XfrmStatus.Success, batch.AddPolicy(new XfrmPolicyParameters
            {
                Selector = Subnets($"10.60.{i / 256}.{i % 256}", 32, "10.61.0.0", 16),
                Direction = XfrmPolicyDirection.Out,
                Templates = templates,
            }));
        }

        Assert.True(batch.Length > 212_992);
        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results));
        Assert.All(results, r => Assert.Equal(XfrmStatus.Success, r));
        Assert.Equal(Count, Policies().Count(p => p.Get("dst") == "10.61.0.0/16"));

        for (int i = 0; i < Count; i++)
        {
            batch.DeletePolicy(Subnets($"10.60.{i / 256}.{i % 256}", 32, "10.61.0.0", 16), XfrmPolicyDirection.Out);
        }

        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results));
        Assert.All(results, r => Assert.Equal(XfrmStatus.Success, r));
        Assert.DoesNotContain(Policies(), p => p.Get("dst") == "10.61.0.0/16");
    }

    [RootFact]
    public void BatchBufferIsZeroedAfterSend()
    {
        using XfrmSocket xfrm = Open();
        using var batch = new XfrmBatch(4096);
        var sa = new XfrmSaParameters
        {
            Family = AddressFamily.InterNetwork,
            Source = XfrmAddress.Parse("10.4.2.1"),
            Destination = XfrmAddress.Parse("10.4.2.2"),
            Spi = 0x4242,
            Protocol = XfrmProtocol.Esp,
            Mode = XfrmMode.Tunnel,
            Encryption = XfrmEncryptionAlgorithm.AesCbc,
            EncryptionKey = AesKey,
            Integrity = XfrmIntegrityAlgorithm.HmacSha256_128,
            IntegrityKey = Sha256Key,
        };
        Assert.Equal(XfrmStatus.Success, batch.AddSa(sa));
        Assert.True(batch.Buffer.AsSpan(0, batch.Length).IndexOf(AesKey) >= 0);
        Span<XfrmStatus> results = stackalloc XfrmStatus[1];
        Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, results));
        Assert.True(batch.Buffer.AsSpan().IndexOfAnyExcept((byte)0) < 0, "key material left in the batch buffer");
        if (results[0] == XfrmStatus.Success)
        {
            xfrm.DeleteSa(sa.Source, sa.Destination, sa.Family, sa.Protocol, sa.Spi);
        }
        else
        {
            Assert.Equal(XfrmStatus.ProtocolNotSupported, results[0]);
        }
    }

    [RootFact]
    public void HardExpireOfAnAllocatedSpiIsReceived()
    {
        // The namespace sets net.core.xfrm_acq_expires = 1: the larval SA of ALLOCSPI expires (hard) after ~1 s.
        using XfrmSocket events = Open(XfrmEventGroups.Expire | XfrmEventGroups.Acquire);
        using XfrmSocket xfrm = Open();
        Assert.Equal(XfrmStatus.NoEvent, events.TryReceiveEvent(0, out _));
        XfrmAddress src = XfrmAddress.Parse("10.5.0.1"), dst = XfrmAddress.Parse("10.5.0.2");
        Assert.Equal(XfrmStatus.Success,
            xfrm.AllocateSpi(src, dst, AddressFamily.InterNetwork, XfrmProtocol.Esp, 0x5000, 0x5fff, out uint spi, reqId: 33));

        XfrmEvent expire = WaitFor(events, e => e.Kind == XfrmEventKind.HardExpire && e.Spi == spi);
        Assert.Equal(dst, expire.Destination);
        Assert.Equal(src, expire.Source);
        Assert.Equal(AddressFamily.InterNetwork, expire.Family);
        Assert.Equal(XfrmProtocol.Esp, expire.Protocol);
        Assert.Equal(33u, expire.ReqId);
    }

    [RootFact]
    public void AcquireIsReceivedWhenTrafficHitsAPolicyWithoutSa()
    {
        using XfrmSocket events = Open(XfrmEventGroups.Acquire | XfrmEventGroups.Expire);
        using XfrmSocket xfrm = Open();
        XfrmTemplate[] templates = [Template("127.0.0.1", "127.0.0.2", XfrmMode.Tunnel, 5)];
        var selector = new XfrmSelector
        {
            Family = AddressFamily.InterNetwork,
            Source = XfrmAddress.Parse("127.0.0.1"),
            SourcePrefixLength = 32,
            Destination = XfrmAddress.Parse("127.0.0.2"),
            DestinationPrefixLength = 32,
            Protocol = 17,
            DestinationPort = 9,
        };
        Assert.Equal(XfrmStatus.Success, xfrm.AddPolicy(new XfrmPolicyParameters
        {
            Selector = selector,
            Direction = XfrmPolicyDirection.Out,
            Templates = templates,
        }));
        try
        {
            using Socket udp = _ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.SendTo([1], new IPEndPoint(IPAddress.Parse("127.0.0.2"), 9));
            }
            catch (SocketException)
            {
                // Larval-drop may refuse the packet; the ACQUIRE is sent regardless.
            }

            XfrmEvent acquire = WaitFor(events, e => e.Kind == XfrmEventKind.Acquire);
            Assert.Equal(5u, acquire.ReqId);
            Assert.Equal(XfrmMode.Tunnel, acquire.Mode);
            Assert.Equal(XfrmProtocol.Esp, acquire.Protocol);
            Assert.Equal(XfrmPolicyDirection.Out, acquire.PolicyDirection);
            Assert.Equal(XfrmAddress.Parse("127.0.0.2"), acquire.Destination);
            Assert.Equal(XfrmAddress.Parse("127.0.0.1"), acquire.Source);
            Assert.Equal(AddressFamily.InterNetwork, acquire.Family);
            Assert.Equal(XfrmAddress.Parse("127.0.0.2"), acquire.Selector.Destination);
            Assert.Equal(9, acquire.Selector.DestinationPort);
            Assert.Equal(17, acquire.Selector.Protocol);
            Assert.NotEqual(0u, acquire.AcquireSequence);

            // The negotiation's first step: an SPI for the SA the kernel asked for, tied to its ACQUIRE by seq.
            Assert.Equal(XfrmStatus.Success, xfrm.AllocateSpi(acquire.Source, acquire.Destination, acquire.Family, acquire.Protocol,
                0x9000, 0x9fff, out uint spi, acquire.Mode, acquire.ReqId, acquire.AcquireSequence));
            Assert.InRange(spi, 0x9000u, 0x9fffu);
        }
        finally
        {
            Assert.Equal(XfrmStatus.Success, xfrm.DeletePolicy(selector, XfrmPolicyDirection.Out));
        }
    }

    [RootFact]
    public void SteadyStatePolicyOperationsDoNotAllocate()
    {
        using XfrmSocket xfrm = Open();
        Span<XfrmTemplate> templates = stackalloc XfrmTemplate[1];
        templates[0] = Template("192.0.2.1", "198.51.100.2", XfrmMode.Tunnel, 40);
        XfrmSelector selector = Subnets("10.40.0.0", 16, "10.41.0.0", 16);
        var policy = new XfrmPolicyParameters { Selector = selector, Direction = XfrmPolicyDirection.Out, Templates = templates };
        using var batch = new XfrmBatch(4096);
        Span<XfrmStatus> results = stackalloc XfrmStatus[2];
        XfrmAddress saSource = XfrmAddress.Parse("10.42.0.1"), saDestination = XfrmAddress.Parse("10.42.0.2");

        // No xunit asserts inside the measured loop (they may allocate): count failures instead.
        int Cycle(XfrmSocket socket, in XfrmPolicyParameters p, Span<XfrmStatus> r)
        {
            int failures = 0;
            failures += socket.AddPolicy(p) == XfrmStatus.Success ? 0 : 1;
            failures += socket.DeletePolicy(p.Selector, p.Direction) == XfrmStatus.Success ? 0 : 1;
            batch.AddPolicy(p);
            batch.DeletePolicy(p.Selector, p.Direction);
            failures += socket.Send(batch, r) == XfrmStatus.Success && r[0] == XfrmStatus.Success && r[1] == XfrmStatus.Success ? 0 : 1;
            failures += socket.TryReceiveEvent(0, out _) == XfrmStatus.NoEvent ? 0 : 1;

            // SA path: refused here (no ESP), installed where the kernel has ESP; allocation-free either way.
            var sa = new XfrmSaParameters
            {
                Family = AddressFamily.InterNetwork,
                Source = saSource,
                Destination = saDestination,
                Spi = 0x7000,
                Protocol = XfrmProtocol.Esp,
                Mode = XfrmMode.Tunnel,
                Encryption = XfrmEncryptionAlgorithm.AesCbc,
                EncryptionKey = AesKey,
                Integrity = XfrmIntegrityAlgorithm.HmacSha256_128,
                IntegrityKey = Sha256Key,
            };
            XfrmStatus added = socket.AddSa(sa);
            failures += added is XfrmStatus.Success or XfrmStatus.ProtocolNotSupported ? 0 : 1;
            if (added == XfrmStatus.Success)
            {
                failures += socket.DeleteSa(saSource, saDestination, AddressFamily.InterNetwork, XfrmProtocol.Esp, 0x7000) == XfrmStatus.Success ? 0 : 1;
            }

            failures += socket.AllocateSpi(saSource, saDestination, AddressFamily.InterNetwork, XfrmProtocol.Esp, 0x8000, 0x8fff,
                out uint spi) == XfrmStatus.Success ? 0 : 1;
            failures += socket.DeleteSa(saSource, saDestination, AddressFamily.InterNetwork, XfrmProtocol.Esp, spi) == XfrmStatus.Success ? 0 : 1;
            return failures;
        }

        int failures = 0;
        for (int i = 0; i < 5; i++)
        {
            failures += Cycle(xfrm, policy, results);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            failures += Cycle(xfrm, policy, results);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }

    [RootFact]
    public void OpeningInANamespaceLeavesTheCallingThreadWhereItWas()
    {
        string before = File.ResolveLinkTarget("/proc/thread-self/ns/net", returnFinalTarget: false)!.ToString();
        using XfrmSocket xfrm = Open();
        string after = File.ResolveLinkTarget("/proc/thread-self/ns/net", returnFinalTarget: false)!.ToString();
        Assert.Equal(before, after);
        // And the socket really is in the test namespace: a policy added through it shows up there only.
        var policy = new XfrmPolicyParameters
        {
            Selector = Subnets("10.50.0.0", 16, "10.51.0.0", 16),
            Direction = XfrmPolicyDirection.In,
            Action = XfrmPolicyAction.Block,
        };
        Assert.Equal(XfrmStatus.Success, xfrm.AddPolicy(policy));
        Assert.Single(Policies(), p => p.Get("src") == "10.50.0.0/16");
        (_, string hostPolicies, _) = ProcessRunner.Run("ip", ["xfrm", "policy"]);
        Assert.DoesNotContain("10.50.0.0/16", hostPolicies);
        Assert.Equal(XfrmStatus.Success, xfrm.DeletePolicy(policy.Selector, policy.Direction));
    }

    [RootFact]
    public void FileDescriptorIsExposed()
    {
        using XfrmSocket xfrm = Open();
        Assert.True(xfrm.FileDescriptor > 2);
    }

    [Fact]
    public void OpenInAMissingNamespaceReportsIt()
    {
        Assert.Equal(XfrmStatus.NamespaceNotFound, XfrmSocket.Open("/run/netns/ikef-does-not-exist-" + Environment.ProcessId, out XfrmSocket? socket));
        Assert.Null(socket);
    }

    private static XfrmEvent WaitFor(XfrmSocket events, Func<XfrmEvent, bool> match)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            XfrmStatus status = events.TryReceiveEvent(500, out XfrmEvent e);
            if (status == XfrmStatus.Success && match(e))
            {
                return e;
            }

            Assert.True(status is XfrmStatus.Success or XfrmStatus.NoEvent, $"receive failed: {status}");
        }

        Assert.Fail("the expected kernel event did not arrive within 10 s");
        return default;
    }

    private XfrmSocket Open(XfrmEventGroups groups = XfrmEventGroups.None)
    {
        XfrmStatus status = XfrmSocket.Open(_ns.Path, groups, out XfrmSocket? socket);
        Assert.Equal(XfrmStatus.Success, status);
        return socket!;
    }

    private List<IpXfrmOutput> Policies() => IpXfrmOutput.Parse(_ns.Ip("xfrm", "policy"));

    private List<IpXfrmOutput> States() => IpXfrmOutput.Parse(_ns.Ip("xfrm", "state"));

    private static XfrmSelector Subnets(string src, byte srcLength, string dst, byte dstLength) =>
        XfrmSelector.ForSubnets(AddressFamily.InterNetwork, XfrmAddress.Parse(src), srcLength, XfrmAddress.Parse(dst), dstLength);

    private static XfrmTemplate Template(string? src, string? dst, XfrmMode mode, uint reqId) => new()
    {
        Family = AddressFamily.InterNetwork,
        Source = src is null ? XfrmAddress.Any : XfrmAddress.Parse(src),
        Destination = dst is null ? XfrmAddress.Any : XfrmAddress.Parse(dst),
        Protocol = XfrmProtocol.Esp,
        Mode = mode,
        ReqId = reqId,
    };
}
