using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ike.Fast.LoadTest;

/// <summary>
/// Linux epoll over the sockets of one generator thread (level-triggered EPOLLIN, epoll(7)), so the thread that runs
/// the engine also waits for and reads the datagrams: no thread-pool hop per datagram, and the CPU of receiving is
/// charged to the generator thread where it belongs. Null off Linux (the sockets' asynchronous receives are used).
/// </summary>
internal sealed class EpollSet : IDisposable
{
    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const uint EpollIn = 0x001;

    // struct epoll_event { uint32_t events; epoll_data_t data; } is packed on x86-64 (12 bytes), 16 bytes elsewhere.
    private static readonly int Stride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _fd;
    private readonly byte[] _events;
    private readonly int _capacity;

    private EpollSet(int fd, int capacity)
    {
        _fd = fd;
        _capacity = capacity;
        _events = new byte[capacity * Stride];
    }

    public static EpollSet? TryCreate(int capacity)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            int fd = Interop.LibC.EpollCreate1(EpollCloexec);
            return fd < 0 ? null : new EpollSet(fd, capacity);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Watches <paramref name="socket"/> for input; <paramref name="token"/> comes back from <see cref="Wait"/>.</summary>
    public unsafe bool Add(Socket socket, int token)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = EpollIn;
        *(ulong*)(ev + DataOffset) = (ulong)token;
        return Interop.LibC.EpollCtl(_fd, EpollCtlAdd, (int)socket.Handle, ev) == 0;
    }

    /// <summary>Watches a descriptor (an eventfd) for input; <paramref name="token"/> comes back from <see cref="Wait"/>.</summary>
    public unsafe bool Add(int descriptor, int token)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = EpollIn;
        *(ulong*)(ev + DataOffset) = (ulong)token;
        return Interop.LibC.EpollCtl(_fd, EpollCtlAdd, descriptor, ev) == 0;
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> and writes the tokens of readable sockets; returns their count.</summary>
    public unsafe int Wait(int timeoutMs, Span<int> tokens)
    {
        int max = Math.Min(_capacity, tokens.Length);
        int n;
        fixed (byte* events = _events)
        {
            n = Interop.LibC.EpollWait(_fd, events, max, timeoutMs);
            for (int i = 0; i < n; i++)
            {
                tokens[i] = (int)*(ulong*)(events + (i * Stride) + DataOffset);
            }
        }

        return Math.Max(0, n); // -1 = EINTR: nothing ready
    }

    public void Dispose() => Interop.LibC.Close(_fd);
}
