namespace Ike.Fast.Wire;

/// <summary>Flags of the IKE fragment payload (Cisco format).</summary>
[Flags]
public enum FragmentFlags : byte
{
    None = 0,

    /// <summary>This is the last fragment of the message.</summary>
    Last = 0x01,
}
