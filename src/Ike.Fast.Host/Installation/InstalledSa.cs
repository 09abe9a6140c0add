using Ike.Fast.Policy;

namespace Ike.Fast.Host.Installation;

/// <summary>
/// What <see cref="MemorySaInstaller"/> keeps of an installed SA pair. Key copies are only present when the installer
/// was asked to keep them (tests comparing both ends' key material); they are zeroed on <see cref="MemorySaInstaller.Dispose"/>.
/// </summary>
public sealed record InstalledSa(
    string Connection,
    string Child,
    IpsecProtocol Protocol,
    IpsecMode Mode,
    uint InboundSpi,
    uint OutboundSpi,
    string Algorithms,
    byte[]? InboundKeys,
    byte[]? OutboundKeys);
