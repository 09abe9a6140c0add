using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host;

/// <summary>
/// NAT rebinding end to end, two daemons on loopback (no root): the initiator a reaches the responder b through a
/// UDP relay that behaves like a NAT (one outside port per inside flow). Both sides detect the NAT (RFC 3947
/// section 3), float to 4500 and encapsulate. Then the relay drops its 4500 mapping and takes a new outside port, as a
/// NAT does after an idle timeout: a's next authenticated message (a DPD probe) arrives at b from the new port, b
/// keeps its ISAKMP SA and IPsec SA, answers to the new port (RFC 3947 section 4), and its installer is given the new
/// ESP-in-UDP ports (PeerEndpointChanged → EncapsulationFollower → ISaInstaller.UpdateEncapsulation).
/// </summary>
public sealed class NatRebindingDaemonTests
{
    private const int NatTraversalPort = 4500;

    // Addresses no other test uses, so the 4500 sockets do not collide with other daemons on loopback: block 66 under
    // the per-process 127.Net (ShardedPeer.Net), so that a second test process on the machine (a parallel worktree, a
    // rerun beside a run) binds its fixed 4500 ports elsewhere.
    private static readonly IPAddress AddressA = new([127, Sharding.ShardedPeer.Net, 66, 1]);
    private static readonly IPAddress RelayInside = new([127, Sharding.ShardedPeer.Net, 66, 2]);
    private static readonly IPAddress RelayOutside = new([127, Sharding.ShardedPeer.Net, 66, 3]);
    private static readonly IPAddress AddressB = new([127, Sharding.ShardedPeer.Net, 66, 4]);

    [Fact]
    public async Task PeerBehindNatChangesItsPort_ResponderKeepsItsSasAndFollowsIt()
    {
        using var dir = new TempConfigDirectory();
        int portA = HostTestConfig.FreeUdpPort(AddressA);
        int portB = HostTestConfig.FreeUdpPort(AddressB);
        int relayPort = HostTestConfig.FreeUdpPort(RelayInside);
        await using var relay = new NatRelay(new IPEndPoint(RelayInside, relayPort), new IPEndPoint(AddressB, portB));
        string aSocket = TestSocketPath.Create();
        string bSocket = TestSocketPath.Create();
        using IkeFastConfiguration aConfig = Load(dir, "a", [new(AddressA, portA), new(AddressA, NatTraversalPort)], AddressA,
            RelayInside.ToString(), relayPort, aSocket, initiate: true, "198.51.100.0/24", "203.0.113.0/24", """, "dpd_delay": "1s" """);
        using IkeFastConfiguration bConfig = Load(dir, "b", [new(AddressB, portB), new(AddressB, NatTraversalPort)], AddressB,
            "%any", 0, bSocket, initiate: false, "203.0.113.0/24", "198.51.100.0/24", "");
        using var aInstaller = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        using var bInstaller = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        using IHost b = Build(bConfig, bInstaller);
        using IHost a = Build(aConfig, aInstaller);
        await b.StartAsync();
        await a.StartAsync();
        try
        {
            Assert.True(await LoopbackPair.WaitUntil(() => aInstaller.Installed.Count == 1 && bInstaller.Installed.Count == 1));
            JsonElement before = Assert.Single((await LoopbackPair.Ask(bSocket, """{"command":"status"}""")).GetProperty("ike_sas").EnumerateArray());
            int firstPort = relay.OutsidePort4500;
            Assert.NotEqual(0, firstPort);
            Assert.Equal($"{RelayOutside}:{firstPort}", before.GetProperty("remote").GetString());
            Assert.True(before.GetProperty("udp_encapsulation").GetBoolean());
            uint bInbound = bInstaller.Installed[0].InboundSpi;

            // The NAT forgets the mapping; a's next message leaves from a new outside port.
            relay.Rebind4500();
            int newPort = relay.OutsidePort4500;
            Assert.NotEqual(firstPort, newPort);

            // b follows: the same ISAKMP SA now points at the new port, and the installer got the new ESP-in-UDP ports.
            Assert.True(await LoopbackPair.WaitUntil(() => bInstaller.EncapsulationUpdates.Contains((bInbound, NatTraversalPort, newPort))));
            JsonElement after = Assert.Single((await LoopbackPair.Ask(bSocket, """{"command":"status"}""")).GetProperty("ike_sas").EnumerateArray());
            Assert.Equal($"{RelayOutside}:{newPort}", after.GetProperty("remote").GetString());
            Assert.Equal(before.GetProperty("initiator_cookie").GetString(), after.GetProperty("initiator_cookie").GetString());
            Assert.Equal(before.GetProperty("responder_cookie").GetString(), after.GetProperty("responder_cookie").GetString());
            JsonElement child = Assert.Single((await LoopbackPair.Ask(bSocket, """{"command":"status"}""")).GetProperty("child_sas").EnumerateArray());
            Assert.Equal($"{bInbound:x8}", child.GetProperty("spi_in").GetString());

            // b sends to the new port (its DPD answers reach a through the new mapping), and nothing was renegotiated.
            Assert.True(await LoopbackPair.WaitUntil(() => relay.FromResponderOnCurrent4500 > 0));
            Assert.Single(aInstaller.Installed);
            Assert.Single(bInstaller.Installed);
            Assert.Equal(bInbound, bInstaller.Installed[0].InboundSpi);
            Assert.Single((await LoopbackPair.Ask(aSocket, """{"command":"status"}""")).GetProperty("ike_sas").EnumerateArray());
        }
        finally
        {
            await a.StopAsync();
            await b.StopAsync();
        }
    }

    private static IkeFastConfiguration Load(TempConfigDirectory dir, string name, IPEndPoint[] listen, IPAddress local, string remote,
        int remotePort, string socket, bool initiate, string localTs, string remoteTs, string extra)
    {
        string port = remotePort == 0 ? "" : $"\"remote_port\": {remotePort},";
        var json = $$"""
            {
              "daemon": { "listen": [ {{string.Join(", ", listen.Select(l => $"\"{l}\""))}} ], "control_socket": "{{socket}}" },
              "connections": {
                "nat": {
                  "local_addrs": "{{local}}",
                  "remote_addrs": "{{remote}}",
                  {{port}}
                  "proposals": "aes128-sha256-modp2048",
                  "local": { "auth": "psk" }, "remote": { "auth": "psk" },
                  "children": { "net": { "local_ts": "{{localTs}}", "remote_ts": "{{remoteTs}}", "esp_proposals": "aes128-sha256",
                                         "start_action": "{{(initiate ? "start" : "none")}}" } }
                  {{extra}}
                }
              },
              "secrets": { "ike-nat": { "secret": "ikefast-nat-rebinding-test-psk" } }
            }
            """;
        return ConfigurationLoader.Load(dir.Write(name + ".json", json));
    }

    private static IHost Build(IkeFastConfiguration configuration, MemorySaInstaller installer) => IkeFastHost.Build(configuration,
        new DaemonOptions(), LogLevel.Debug, logging => logging.ClearProviders(), services => services.AddSingleton(installer));

    /// <summary>
    /// A NAT in user space: a's datagrams to the relay's inside port (and to its 4500) leave from an outside socket
    /// per flow towards b's port (and b's 4500); b's answers go back the same way. <see cref="Rebind4500"/> replaces
    /// the 4500 flow's outside socket (a new outside port; the old mapping is gone).
    /// </summary>
    internal sealed class NatRelay : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly IPAddress _outside;
        private readonly Flow _ike;
        private readonly Flow _natT;
        private readonly List<Task> _loops = [];

        /// <param name="outside">The NAT's outside address (default 127.Net.66.3).</param>
        public NatRelay(IPEndPoint inside, IPEndPoint responder, IPAddress? outside = null)
        {
            _outside = outside ?? RelayOutside;
            _ike = new Flow(inside, responder, this);
            _natT = new Flow(new IPEndPoint(inside.Address, NatTraversalPort), new IPEndPoint(responder.Address, NatTraversalPort), this);
            _ike.Start();
            _natT.Start();
        }

        public int OutsidePort4500 => _natT.OutsidePort;

        /// <summary>Datagrams from b received on the current 4500 outside socket.</summary>
        public int FromResponderOnCurrent4500 => _natT.FromResponder;

        public void Rebind4500() => _natT.Rebind();

        /// <summary>Both flows leave from a new outside address (a NAT that changed its public address).</summary>
        public void RebindTo(IPAddress outside)
        {
            _ike.Rebind(outside);
            _natT.Rebind(outside);
        }

        /// <summary>While set, the relay drops everything in both directions (a dead path, for DPD).</summary>
        public bool Blackhole { get; set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _ike.Dispose();
            _natT.Dispose();
            try
            {
                await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
            {
                // Sockets closed under the loops.
            }

            _stop.Dispose();
        }

        private sealed class Flow(IPEndPoint insideAddress, IPEndPoint responder, NatRelay relay) : IDisposable
        {
            private readonly Socket _inside = Bound(insideAddress);
            private volatile Socket _outside = Bound(new IPEndPoint(relay._outside, 0));
            private volatile IPEndPoint? _initiator;
            private int _fromResponder;

            public int OutsidePort => ((IPEndPoint)_outside.LocalEndPoint!).Port;

            public int FromResponder => Volatile.Read(ref _fromResponder);

            public void Start()
            {
                relay._loops.Add(Task.Run(InsideLoop));
                relay._loops.Add(Task.Run(() => OutsideLoop(_outside)));
            }

            public void Rebind(IPAddress? outside = null)
            {
                Socket old = _outside;
                Volatile.Write(ref _fromResponder, 0);
                _outside = Bound(new IPEndPoint(outside ?? ((IPEndPoint)old.LocalEndPoint!).Address, 0));
                relay._loops.Add(Task.Run(() => OutsideLoop(_outside)));
                old.Dispose();
            }

            public void Dispose()
            {
                _inside.Dispose();
                _outside.Dispose();
            }

            private static Socket Bound(IPEndPoint at)
            {
                var s = new Socket(at.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                s.Bind(at);
                return s;
            }

            private async Task InsideLoop()
            {
                byte[] buffer = new byte[65536];
                EndPoint any = new IPEndPoint(IPAddress.Any, 0);
                while (!relay._stop.IsCancellationRequested)
                {
                    SocketReceiveFromResult r = await _inside.ReceiveFromAsync(buffer, SocketFlags.None, any, relay._stop.Token);
                    _initiator = (IPEndPoint)r.RemoteEndPoint;
                    if (relay.Blackhole)
                    {
                        continue;
                    }

                    await Forward(_outside, buffer.AsMemory(0, r.ReceivedBytes), responder);
                }
            }

            private async Task OutsideLoop(Socket outside)
            {
                byte[] buffer = new byte[65536];
                EndPoint any = new IPEndPoint(IPAddress.Any, 0);
                try
                {
                    while (!relay._stop.IsCancellationRequested)
                    {
                        SocketReceiveFromResult r = await outside.ReceiveFromAsync(buffer, SocketFlags.None, any, relay._stop.Token);
                        if (outside != _outside || _initiator is not { } initiator || relay.Blackhole)
                        {
                            continue; // an old mapping: the NAT dropped it
                        }

                        Interlocked.Increment(ref _fromResponder);
                        await Forward(_inside, buffer.AsMemory(0, r.ReceivedBytes), initiator);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    // Replaced by Rebind or stopped.
                }
            }

            private async Task Forward(Socket socket, ReadOnlyMemory<byte> datagram, IPEndPoint to)
            {
                try
                {
                    await socket.SendToAsync(datagram, SocketFlags.None, to, relay._stop.Token);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // A socket replaced under the send: the datagram is lost, as across a real NAT's rebinding.
                }
            }
        }
    }
}
