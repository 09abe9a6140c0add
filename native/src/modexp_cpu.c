/* Run-time CPU feature detection for the modexp kernels (the managed tier selection reads it too). */
#include "ikefast_modexp.h"

uint32_t IkeFastNative_CpuFeatures(void)
{
    uint32_t features = 0;
    __builtin_cpu_init();
    /* __builtin_cpu_supports also checks (XGETBV) that the OS saves the ymm/zmm state. */
    if (__builtin_cpu_supports("avx2"))
        features |= IKEFAST_CPU_AVX2;
    if (__builtin_cpu_supports("avx512f"))
        features |= IKEFAST_CPU_AVX512F;
    if (__builtin_cpu_supports("avx512vl"))
        features |= IKEFAST_CPU_AVX512VL;
    if (__builtin_cpu_supports("avx512ifma"))
        features |= IKEFAST_CPU_AVX512IFMA;
    if (__builtin_cpu_supports("bmi2"))
        features |= IKEFAST_CPU_BMI2;
#if defined(__GNUC__) && __GNUC__ >= 11
    if (__builtin_cpu_supports("adx"))
        features |= IKEFAST_CPU_ADX;
#endif
    return features;
}

int32_t IkeFastNative_ModExpIfmaSupported(void)
{
    const uint32_t need = IKEFAST_CPU_AVX512F | IKEFAST_CPU_AVX512VL | IKEFAST_CPU_AVX512IFMA;
    return (IkeFastNative_CpuFeatures() & need) == need ? 1 : 0;
}
