using System.Net;

namespace DistTrain.Kernels.Tests.Data;

/// <summary>Serves fixed responses by URL; unknown URLs fail like an unreachable host. Records every request.</summary>
public sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly Dictionary<string, Func<CancellationToken, Task<HttpResponseMessage>>> _routes = new();

    public List<string> Requests { get; } = [];

    public FakeHttpHandler Serve(string url, byte[] body) =>
        Route(url, _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) }));

    public FakeHttpHandler Status(string url, HttpStatusCode status) =>
        Route(url, _ => Task.FromResult(new HttpResponseMessage(status)));

    /// <summary>Sends headers, then <paramref name="body"/>'s first half, then fails the connection.</summary>
    public FakeHttpHandler BreakMidway(string url, byte[] body) =>
        Route(url, _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BreakingStream(body)) }));

    /// <summary>Never answers until cancelled.</summary>
    public FakeHttpHandler Hang(string url) =>
        Route(url, async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string url = request.RequestUri!.ToString();
        lock (Requests)
        {
            Requests.Add(url);
        }

        return _routes.TryGetValue(url, out var route)
            ? route(cancellationToken)
            : Task.FromException<HttpResponseMessage>(new HttpRequestException($"Name or service not known ({request.RequestUri.Host}:443)"));
    }

    private FakeHttpHandler Route(string url, Func<CancellationToken, Task<HttpResponseMessage>> route)
    {
        _routes[url] = route;
        return this;
    }

    private sealed class BreakingStream(byte[] body) : MemoryStream(body[..(body.Length / 2)])
    {
        // Not seekable, so no Content-Length is announced, like a chunked response.
        public override bool CanSeek => false;

        public override int Read(byte[] buffer, int offset, int count)
        {
            int got = base.Read(buffer, offset, count);
            return got > 0 ? got : throw new IOException("connection reset by peer");
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int got = await base.ReadAsync(buffer, cancellationToken);
            return got > 0 ? got : throw new IOException("connection reset by peer");
        }
    }
}
