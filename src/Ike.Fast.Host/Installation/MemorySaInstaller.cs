using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
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
    /// Every SPI in use by inbound SPI (O(1) delete): allocated and not yet installed (null), or installed. One table
    /// instead of an allocated set plus an installed table, which cost an entry in both per installed pair (~20 B per
    /// IPsec SA more; issue #7's per-SA memory). An installed row is the engine's <see cref="ChildSaInfo"/> (which the engine
    /// keeps anyway; its keys are cleared after installation): the <see cref="InstalledSa"/> records, algorithm string
    /// included, are built when <see cref="Installed"/> is read. Key copies are kept apart, only when <c>keepKeys</c>.
    /// </summary>
    private readonly Dictionary<uint, ChildSaInfo?> _spis = [];
    private readonly Dictionary<uint, (byte[] InboundKeys, byte[] OutboundKeys)> _keys = [];
    private readonly List<(uint, int, int)> _encapsulationUpdates = [];

    /// <summary>A snapshot of the installed SA pairs.</summary>
    public IReadOnlyList<InstalledSa> Installed
    {
        get
        {
            lock (_lock)
            {
                return [.. _spis.Values.OfType<ChildSaInfo>().Select(sa =>
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
                TableGrowth.BeforeAdd(_spis); // by a quarter, not doubling: the bytes per SA do not jump (issue #7)
                if (spi >= FirstUsableSpi && _spis.TryAdd(spi, null))
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
            // An installed SA's SPI stays taken until Delete (its row holds the SA).
            if (_spis.TryGetValue(spi, out var installed) && installed is null)
            {
                _spis.Remove(spi);
            }
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
            _spis[sa.InboundSpi] = sa;
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
            _spis.Remove(sa.InboundSpi);
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
