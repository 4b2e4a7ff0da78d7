using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DistTrain.Grains.Link;

/// <summary>
/// Mutual TLS for the tensor link, the same as the cluster's Orleans ports: this silo's
/// <paramref name="Certificate"/> is presented on both sides, and a remote certificate is
/// accepted only when <paramref name="Validate"/> says so. Registered by a silo that runs TLS;
/// without it the link is plain TCP (like Orleans' ports without TLS).
/// </summary>
/// <param name="Certificate">This silo's certificate, with its private key.</param>
/// <param name="Validate">Judges the remote side's certificate (null when it sent none) and the platform's verdict on it.</param>
/// <param name="ServerName">The name a silo's certificate must carry, or null to check only the chain.</param>
public sealed record TensorLinkSecurity(
    X509Certificate2 Certificate,
    Func<X509Certificate2?, SslPolicyErrors, bool> Validate,
    string? ServerName = null);
