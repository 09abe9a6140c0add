using System.Net.Sockets;
using System.Text;

namespace Ike.Fast.Host.Control;

/// <summary>The client side of the control socket: one request line out, one response line back.</summary>
public static class ControlClient
{
    /// <summary>Sends <paramref name="requestJson"/> and returns the response line (without the newline).</summary>
    public static async Task<string> QueryAsync(string path, string requestJson, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancel.Token).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(requestJson + "\n"), cancel.Token).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync(cancel.Token).ConfigureAwait(false)
               ?? throw new IOException("The daemon closed the control socket without answering.");
    }
}
