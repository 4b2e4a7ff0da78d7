using System.Net;
using System.Net.Sockets;

namespace DistTrain.Grains.Tests.Hosting;

/// <summary>Free loopback ports for test silos and servers.</summary>
public static class FreePort
{
    /// <summary>A port nothing listens on right now (the OS picks it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
