#include "ikefast_native.h"

int32_t IkeFastNative_GetAbiVersion(void)
{
    return IKEFAST_NATIVE_ABI_VERSION;
}
