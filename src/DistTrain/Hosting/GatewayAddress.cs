using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DistTrain.Hosting;

/// <summary>One gateway endpoint of a running cluster, <c>host:port</c>.</summary>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">Gateway port.</param>
public sealed record GatewayAddress(string Host, int Port)
{
    /// <summary>Parses <c>host:port[,host:port...]</c>; throws <see cref="FormatException"/> naming the bad entry.</summary>
    public static IReadOnlyList<GatewayAddress> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new FormatException("expected host:port[,host:port...], got an empty list.");
        }

        return [.. parts.Select(Parse)];
    }

    /// <summary>Parses one <c>host:port</c> (IPv6 hosts in brackets: <c>[::1]:30000</c>).</summary>
    public static GatewayAddress Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new FormatException($"'{text}' is not host:port.");
        }

        var host = text[..colon].Trim('[', ']');
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{text}' has no valid port (1-65535).");
        }

        if (host.Length == 0 || (Uri.CheckHostName(host) == UriHostNameType.Unknown))
        {
            throw new FormatException($"'{text}' has no valid host name.");
        }

        return new GatewayAddress(host, port);
    }

    /// <summary>Resolves the host (IPv4 preferred, as Orleans gateways listen on it by default); throws <see cref="DistTrainException"/> when it cannot.</summary>
    public async Task<IPEndPoint> ResolveAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(Host, out var literal))
        {
            return new IPEndPoint(literal, Port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new DistTrainException($"cannot resolve cluster host '{Host}': {ex.Message}");
        }

        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new DistTrainException($"cluster host '{Host}' has no address.");
        return new IPEndPoint(address, Port);
    }

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
