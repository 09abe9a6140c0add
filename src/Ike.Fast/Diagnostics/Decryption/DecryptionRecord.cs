namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// One decrypted message as <see cref="CaptureDecryptor"/> saw it (kept only when
/// <see cref="CaptureDecryptor.History"/> is set): the CBC IV it was decrypted with, the whole plaintext (payload
/// chain then padding) and the result of its HASH/SIG check (null: no hash to check or not checkable).
/// </summary>
public sealed record DecryptionRecord(int? Frame, ulong InitiatorCookie, uint MessageId, byte[] Iv, byte[] Plaintext, bool? HashVerified);
