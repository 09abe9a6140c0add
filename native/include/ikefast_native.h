/* libikefast_native: flat, prefixed C exports called from src/Ike.Native/Interop. */
#ifndef IKEFAST_NATIVE_H
#define IKEFAST_NATIVE_H

#include <stdint.h>

#define IKEFAST_EXPORT __attribute__((visibility("default")))

/* ABI version of this library; the managed side refuses a library whose version it does not know. */
#define IKEFAST_NATIVE_ABI_VERSION 1

IKEFAST_EXPORT int32_t IkeFastNative_GetAbiVersion(void);

#endif
