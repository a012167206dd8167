/* A stand-in for Windows' bcryptprimitives.dll, for running porchlight's Windows build under
 * Wine older than 8.13 (Debian 12 ships 8.0). Programs built by Rust 1.78 and later draw their
 * random numbers from ProcessPrng, which that Wine lacks; this DLL gives it over RtlGenRandom
 * (SystemFunction036 in advapi32), which it has. Test harness only: never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
