namespace Ike.Fast.Crypto;

/// <summary>
/// Which implementation computes a hash or HMAC. <see cref="Auto"/> picks the fastest available one; the others
/// exist so tests can check every path against each other and benchmarks can compare them.
/// </summary>
internal enum HashBackend
{
    /// <summary>SHA-NI native kernels for SHA-1/SHA-256 when present, otherwise <see cref="Platform"/>.</summary>
    Auto = 0,

    /// <summary>.NET IncrementalHash (OpenSSL on Linux), pooled per thread: every algorithm.</summary>
    Platform = 1,

    /// <summary>Portable managed SHA-1/SHA-256 compression function (reference for the intrinsic path).</summary>
    Scalar = 2,

    /// <summary>libikefast_native SHA-NI compression function (SHA-1/SHA-256 on CPUs with the SHA extensions).</summary>
    Native = 3,
}
