using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace DistTrain.Grains.Link;

/// <summary>The stream over a link's socket: plain, or TLS with a certificate required from both sides (<see cref="TensorLinkSecurity"/>).</summary>
internal static class LinkStreams
{
    public static void Tune(Socket socket)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = 4 << 20;
        socket.ReceiveBufferSize = 4 << 20;
    }

    public static async Task<Stream> ForClient(Socket socket, TensorLinkSecurity? security, CancellationToken cancellationToken)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        if (security is null)
        {
            return network;
        }

        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = security.ServerName ?? "disttrain-silo",
                ClientCertificates = [security.Certificate],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => security.Validate(certificate as X509Certificate2, IgnoreName(errors, security)),
            },
            cancellationToken).ConfigureAwait(false);
        return tls;
    }

    public static async Task<Stream> ForServer(Socket socket, TensorLinkSecurity? security, CancellationToken cancellationToken)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        if (security is null)
        {
            return network;
        }

        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions
            {
                ServerCertificate = security.Certificate,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => security.Validate(certificate as X509Certificate2, errors),
            },
            cancellationToken).ConfigureAwait(false);
        return tls;
    }

    /// <summary>Without a configured server name the certificate's name is not checked (the chain is), as on the Orleans ports.</summary>
    private static SslPolicyErrors IgnoreName(SslPolicyErrors errors, TensorLinkSecurity security) =>
        security.ServerName is null ? errors & ~SslPolicyErrors.RemoteCertificateNameMismatch : errors;
}
