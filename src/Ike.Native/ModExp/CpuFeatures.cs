namespace Ike.Native.ModExp;

/// <summary>CPU features as libikefast_native detects them (IKEFAST_CPU_* in native/include/ikefast_modexp.h).</summary>
[Flags]
public enum CpuFeatures : uint
{
    /// <summary>Nothing detected (or the library is missing).</summary>
    None = 0,

    /// <summary>AVX2.</summary>
    Avx2 = 1u << 0,

    /// <summary>AVX-512 Foundation.</summary>
    Avx512F = 1u << 1,

    /// <summary>AVX-512 Vector Length extensions.</summary>
    Avx512VL = 1u << 2,

    /// <summary>AVX-512 Integer Fused Multiply-Add (vpmadd52luq / vpmadd52huq).</summary>
    Avx512Ifma = 1u << 3,

    /// <summary>BMI2 (mulx).</summary>
    Bmi2 = 1u << 4,

    /// <summary>ADX (adcx / adox).</summary>
    Adx = 1u << 5,
}
