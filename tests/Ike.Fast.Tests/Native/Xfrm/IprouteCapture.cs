namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>
/// Captures the exact netlink messages iproute2 sends: an LD_PRELOAD sendmsg wrapper (compiled here with gcc) logs
/// each sendmsg on a netlink socket as a hex line, then calls the real sendmsg.
/// </summary>
internal static class IprouteCapture
{
    private const string LoggerSource = """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <sys/socket.h>
        static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
        ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
        {
            if (!real_sendmsg) real_sendmsg = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
            struct sockaddr_storage ss; socklen_t sl = sizeof(ss);
            const char *path = getenv("IKEF_NLSEND_LOG");
            if (path && getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_NETLINK) {
                FILE *f = fopen(path, "a");
                if (f) {
                    for (size_t i = 0; i < msg->msg_iovlen; i++)
                        for (size_t j = 0; j < msg->msg_iov[i].iov_len; j++)
                            fprintf(f, "%02x", ((const unsigned char *)msg->msg_iov[i].iov_base)[j]);
                    fputc('\n', f);
                    fclose(f);
                }
            }
            return real_sendmsg(fd, msg, flags);
        }
        """;

    private static readonly Lazy<string?> s_logger = new(Compile);

    /// <summary>Null when gcc is missing (the byte tests then skip their comparison with that reason).</summary>
    internal static string? LoggerPath => s_logger.Value;

    /// <summary>Runs `ip -n NS xfrm args` under the logger and returns every netlink message it sent (exit code ignored:
    /// on this kernel SA adds are refused, but the message was sent all the same).</summary>
    internal static List<byte[]> Capture(string netns, params string[] args)
    {
        string log = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ikef-nl-" + Guid.NewGuid().ToString("N") + ".log");
        try
        {
            ProcessRunner.Run("ip", ["-n", netns, "xfrm", .. args], new Dictionary<string, string>
            {
                ["LD_PRELOAD"] = LoggerPath!,
                ["IKEF_NLSEND_LOG"] = log,
            });
            return File.Exists(log)
                ? File.ReadAllLines(log).Where(l => l.Length > 0).Select(Convert.FromHexString).ToList()
                : [];
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>Zeroes nlmsg_seq and nlmsg_pid (bytes 8..15): iproute2 numbers from time(NULL), the shim from its own counter.</summary>
    internal static byte[] Normalise(byte[] message)
    {
        byte[] copy = (byte[])message.Clone();
        Array.Clear(copy, 8, 8);
        return copy;
    }

    private static string? Compile()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ikef-nlsend-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string source = System.IO.Path.Combine(dir, "nlsend_logger.c");
        string library = System.IO.Path.Combine(dir, "nlsend_logger.so");
        File.WriteAllText(source, LoggerSource);
        try
        {
            (int exitCode, _, _) = ProcessRunner.Run("gcc", ["-shared", "-fPIC", "-O1", "-o", library, source, "-ldl"]);
            return exitCode == 0 ? library : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
