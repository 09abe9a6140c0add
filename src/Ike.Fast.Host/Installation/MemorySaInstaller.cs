using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Ike.Fast.Host.Control;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Installation;

/// <summary>
/// An <see cref="ISaInstaller"/> that records SAs in memory and logs them: the daemon runs end to end without kernel
/// access (tests, interop runs where the peer's side is checked). Key material is logged only when
/// <c>logSecrets</c> is set (<c>ikefast serve --log-secrets</c>).
/// </summary>
public sealed class MemorySaInstaller(ILogger<MemorySaInstaller> logger, bool logSecrets = false, bool keepKeys = false)
    : ISaInstaller, IDisposable
{
    /// <summary>SPIs 1..255 are reserved by IANA (RFC 4303 section 2.1); 0 means "no SA".</summary>
    private const uint FirstUsableSpi = 256;

    private readonly Lock _lock = new();
    /// <summary>
    /// Installed pairs by inbound SPI (O(1) delete): the engine's <see cref="ChildSaInfo"/> itself (which the engine
    /// keeps anyway; its keys are cleared after installation), in a set keyed through the pair (16-byte entries; a
    /// dictionary from SPI to pair took 24: issue #7's per-SA memory). The <see cref="InstalledSa"/> records, algorithm
    /// string included, are built when <see cref="Installed"/> is read. Key copies are kept apart, only when <c>keepKeys</c>.
    /// </summary>
    private readonly ChildSaBySpi _installed = new();

    /// <summary>SPIs allocated and not yet installed (a pair moves to <see cref="_installed"/> when installed).</summary>
    private readonly HashSet<uint> _allocated = [];
    private readonly Dictionary<uint, (byte[] InboundKeys, byte[] OutboundKeys)> _keys = [];
    private readonly List<(uint, int, int)> _encapsulationUpdates = [];

    /// <summary>A snapshot of the installed SA pairs.</summary>
    public IReadOnlyList<InstalledSa> Installed
    {
        get
        {
            lock (_lock)
            {
                return [.. _installed.Values.Select(sa =>
                {
                    var keys = _keys.TryGetValue(sa.InboundSpi, out var k) ? k : default;
                    return new InstalledSa(sa.Connection, sa.Child, sa.Protocol, sa.Mode, sa.InboundSpi, sa.OutboundSpi, SaFormat.Algorithms(sa),
                        keys.InboundKeys, keys.OutboundKeys);
                })];
            }
        }
    }

    public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote)
    {
        Span<byte> bytes = stackalloc byte[4];
        lock (_lock)
        {
            while (true)
            {
                // Random rather than sequential SPIs: a peer cannot guess how many SAs this daemon holds.
                RandomNumberGenerator.Fill(bytes);
                var spi = BinaryPrimitives.ReadUInt32BigEndian(bytes);
                if (spi >= FirstUsableSpi && !_installed.Contains(spi) && _allocated.Add(spi))
                {
                    return spi;
                }
            }
        }
    }

    public void Release(IpsecProtocol protocol, uint spi)
    {
        lock (_lock)
        {
            // An installed SA's SPI stays taken until Delete (the installed set holds the SA).
            _allocated.Remove(spi);
        }
    }

    /// <summary>Encapsulation updates received (inbound SPI, local port, remote port), in order.</summary>
    public IReadOnlyList<(uint InboundSpi, int LocalPort, int RemotePort)> EncapsulationUpdates
    {
        get
        {
            lock (_lock)
            {
                return [.. _encapsulationUpdates];
            }
        }
    }

    /// <summary>Records the new ESP-in-UDP ports of <paramref name="sa"/> (see <see cref="EncapsulationUpdates"/>).</summary>
    public void UpdateEncapsulation(ChildSaInfo sa, int localPort, int remotePort)
    {
        ArgumentNullException.ThrowIfNull(sa);
        lock (_lock)
        {
            _encapsulationUpdates.Add((sa.InboundSpi, localPort, remotePort));
        }

        logger.LogInformation("update {Connection}/{Child} SPI in {SpiIn:x8} out {SpiOut:x8}: ESP-in-UDP {Local} <=> {Remote}",
            sa.Connection, sa.Child, sa.InboundSpi, sa.OutboundSpi, localPort, remotePort);
    }

    public void Install(ChildSaInfo sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        lock (_lock)
        {
            _allocated.Remove(sa.InboundSpi);
            _installed.Set(sa);
            if (keepKeys)
            {
                _keys[sa.InboundSpi] = ([.. sa.InboundEncryptionKey, .. sa.InboundIntegrityKey], [.. sa.OutboundEncryptionKey, .. sa.OutboundIntegrityKey]);
            }
        }

        // Guarded: the arguments (boxed SPIs, the algorithm string) cost an allocation per SA even when the line is off.
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                "install {Connection}/{Child} {Protocol} {Mode} SPI in {SpiIn:x8} out {SpiOut:x8} {Algorithms} {LocalTs} <=> {RemoteTs}",
                sa.Connection, sa.Child, sa.Protocol, sa.Mode, sa.InboundSpi, sa.OutboundSpi, SaFormat.Algorithms(sa), sa.LocalTs, sa.RemoteTs);
        }

        if (logSecrets)
        {
            // Explicitly requested (--log-secrets): the form Wireshark's ESP SA table wants, to decrypt captures.
            logger.LogInformation(
                "keys {Connection}/{Child} in {SpiIn:x8} enc {InEnc} int {InInt}; out {SpiOut:x8} enc {OutEnc} int {OutInt}",
                sa.Connection, sa.Child, sa.InboundSpi, Convert.ToHexStringLower(sa.InboundEncryptionKey),
                Convert.ToHexStringLower(sa.InboundIntegrityKey), sa.OutboundSpi,
                Convert.ToHexStringLower(sa.OutboundEncryptionKey), Convert.ToHexStringLower(sa.OutboundIntegrityKey));
        }
    }

    public void Delete(ChildSaInfo sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        lock (_lock)
        {
            _installed.Remove(sa.InboundSpi);
            _allocated.Remove(sa.InboundSpi);
            if (_keys.Remove(sa.InboundSpi, out var keys))
            {
                CryptographicOperations.ZeroMemory(keys.InboundKeys);
                CryptographicOperations.ZeroMemory(keys.OutboundKeys);
            }
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("delete {Connection}/{Child} {Protocol} SPI in {SpiIn:x8} out {SpiOut:x8}",
                sa.Connection, sa.Child, sa.Protocol, sa.InboundSpi, sa.OutboundSpi);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var keys in _keys.Values)
            {
                CryptographicOperations.ZeroMemory(keys.InboundKeys);
                CryptographicOperations.ZeroMemory(keys.OutboundKeys);
            }
        }
    }
}
