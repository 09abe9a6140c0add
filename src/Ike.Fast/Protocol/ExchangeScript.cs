namespace Ike.Fast.Protocol;

/// <summary>
/// The one table of what each IKEv1 message must and may carry (RFC 2409 §5, §5.5, §5.7 for pre-shared keys;
/// signatures replace HASH by SIG and allow CERT/CR, RFC 2409 §5.1). The engine checks every received message
/// against its row before looking at any payload, and builds its own messages from the same rows; tests assert
/// both against this table.
/// </summary>
public static class ExchangeScript
{
    private const PayloadSet Always = PayloadSet.VendorId | PayloadSet.Notify | PayloadSet.NatDiscovery;

    private static readonly (PayloadSet Required, PayloadSet Allowed, bool Encrypted, bool FromInitiator)[] s_rows =
    [
        /* MM1 HDR, SA -->                      */ (PayloadSet.Sa, Always, false, true),
        /* MM2 <-- HDR, SA                      */ (PayloadSet.Sa, Always, false, false),
        /* MM3 HDR, KE, Ni -->                  */ (PayloadSet.Ke | PayloadSet.Nonce, Always | PayloadSet.CertRequest, false, true),
        /* MM4 <-- HDR, KE, Nr                  */ (PayloadSet.Ke | PayloadSet.Nonce, Always | PayloadSet.CertRequest, false, false),
        /* MM5 HDR*, IDii, HASH_I --> (charon's RSA MM5: ID, CERT, SIG, CR, N) */ (PayloadSet.Id | PayloadSet.Hash, Always | PayloadSet.Cert | PayloadSet.CertRequest | PayloadSet.Signature, true, true),
        /* MM6 <-- HDR*, IDir, HASH_R           */ (PayloadSet.Id | PayloadSet.Hash, Always | PayloadSet.Cert | PayloadSet.CertRequest | PayloadSet.Signature, true, false),
        /* AM1 HDR, SA, KE, Ni, IDii -->        */ (PayloadSet.Sa | PayloadSet.Ke | PayloadSet.Nonce | PayloadSet.Id, Always | PayloadSet.CertRequest, false, true),
        /* AM2 <-- HDR, SA, KE, Nr, IDir, HASH_R */ (PayloadSet.Sa | PayloadSet.Ke | PayloadSet.Nonce | PayloadSet.Id | PayloadSet.Hash, Always | PayloadSet.Cert | PayloadSet.CertRequest | PayloadSet.Signature, false, false),
        /* AM3 HDR(*), HASH_I -->               */ (PayloadSet.Hash, Always | PayloadSet.Cert | PayloadSet.CertRequest | PayloadSet.Signature, false, true),
        /* QM1 HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] --> */ (PayloadSet.Hash | PayloadSet.Sa | PayloadSet.Nonce, PayloadSet.Ke | PayloadSet.Id | PayloadSet.Id2 | PayloadSet.Notify | PayloadSet.NatOriginalAddress, true, true),
        /* QM2 <-- HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] */ (PayloadSet.Hash | PayloadSet.Sa | PayloadSet.Nonce, PayloadSet.Ke | PayloadSet.Id | PayloadSet.Id2 | PayloadSet.Notify | PayloadSet.NatOriginalAddress, true, false),
        /* QM3 HDR*, HASH(3) -->                */ (PayloadSet.Hash, PayloadSet.None, true, true),
        /* INFO HDR*, HASH(1), N/D <-->         */ (PayloadSet.Hash, PayloadSet.Notify | PayloadSet.Delete, true, true),
    ];

    /// <summary>Payloads the message must carry.</summary>
    public static PayloadSet Required(ExchangeStep step) => s_rows[(int)step].Required;

    /// <summary>Payloads the message may carry besides the required ones.</summary>
    public static PayloadSet Allowed(ExchangeStep step) => s_rows[(int)step].Allowed;

    /// <summary>True when the message is sent encrypted (Aggressive 3 may be either; peers encrypt it).</summary>
    public static bool IsEncrypted(ExchangeStep step) => s_rows[(int)step].Encrypted;

    /// <summary>True when the initiator of the exchange sends it.</summary>
    public static bool IsFromInitiator(ExchangeStep step) => s_rows[(int)step].FromInitiator;

    /// <summary>
    /// Checks a received message's payload set: every required payload present, nothing outside required|allowed.
    /// (Signature authentication: SIG may stand in for HASH.)
    /// </summary>
    public static bool Accepts(ExchangeStep step, PayloadSet present)
    {
        PayloadSet required = Required(step);
        if ((present & PayloadSet.Signature) != 0 && step is ExchangeStep.MainMode5 or ExchangeStep.MainMode6 or ExchangeStep.Aggressive2 or ExchangeStep.Aggressive3)
        {
            required &= ~PayloadSet.Hash;
        }

        return (present & required) == required && (present & ~(Required(step) | Allowed(step))) == 0;
    }
}
