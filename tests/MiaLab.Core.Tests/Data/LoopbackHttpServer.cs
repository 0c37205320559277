using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MiaLab.Core.Tests.Data;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a port the system chooses) for download tests. Each
/// path under <see cref="BaseUrl"/> serves its bytes with Content-Length; a file with Cut set
/// announces its whole length but sends only Cut bytes and closes the connection (a dropped
/// download). Unknown paths answer 404. Every connection is closed after its response.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    internal sealed record Served(byte[] Body, int? Cut = null);

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<string, Served> files = new();
    private readonly Task loop;

    public LoopbackHttpServer()
    {
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/fashion/");
        loop = Task.Run(AcceptLoop);
    }

    public Uri BaseUrl { get; }

    /// <summary>The paths requested so far, in order of arrival.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public void Serve(string name, Served file) => files[BaseUrl.AbsolutePath + name] = file;

    public void Withdraw(string name) => files.TryRemove(BaseUrl.AbsolutePath + name, out _);

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => Answer(client));
        }
    }

    private async Task Answer(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string path = await ReadRequestPath(stream);
                Requests.Enqueue(path);
                if (!files.TryGetValue(path, out var file))
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    return;
                }
                string head = $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {file.Body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(file.Body.AsMemory(0, file.Cut ?? file.Body.Length));
                await stream.FlushAsync();
            }
            catch (IOException)
            {
                // The client hung up (it refused the content); nothing to answer.
            }
        }
    }

    /// <summary>Reads the request head up to the blank line and returns the path of "GET path HTTP/1.1".</summary>
    private static async Task<string> ReadRequestPath(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0) break;
            head.Append((char)one[0]);
        }
        string[] requestLine = head.ToString().Split("\r\n")[0].Split(' ');
        return requestLine.Length >= 2 ? requestLine[1] : "";
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }
        stop.Dispose();
    }
}
