using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ike.Fast.InteropTests;

/// <summary>
/// Talks to a running <c>ikefast serve</c> over its control socket (line-delimited JSON, one request and one
/// answer per line; src/Ike.Fast.Host/README.md). A path-named Unix socket is reachable from the root namespace.
/// Used for fast polling and for initiate/terminate; the verification snapshot comes from <c>ikefast status --json</c>.
/// </summary>
internal sealed class IkeFastControl(string socketPath)
{
    public string SocketPath { get; } = socketPath;

    /// <summary>Sends one request; null when the daemon does not answer (not up yet, or gone).</summary>
    public JsonNode? Request(JsonObject request)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.ReceiveTimeout = 5000;
            socket.SendTimeout = 5000;
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            using var stream = new NetworkStream(socket, ownsSocket: false);
            var line = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");
            stream.Write(line);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var answer = reader.ReadLine();
            return answer is null ? null : JsonNode.Parse(answer);
        }
        catch (Exception e) when (e is SocketException or IOException or JsonException)
        {
            return null;
        }
    }

    public IkeFastStatus? Status() =>
        Request(new JsonObject { ["command"] = "status" }) is { } node ? IkeFastStatus.Parse(node) : null;

    public JsonNode? Command(string command, params (string Key, string Value)[] args)
    {
        var request = new JsonObject { ["command"] = command };
        foreach (var (k, v) in args)
        {
            request[k] = v;
        }

        return Request(request);
    }
}
