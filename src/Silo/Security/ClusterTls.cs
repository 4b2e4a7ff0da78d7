using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace DistTrain.Silo.Security;

/// <summary>
/// Applies <see cref="DistTrainTlsOptions"/> to Orleans' TLS (Microsoft.Orleans.Connections.Security):
/// loads this side's certificate and the trusted authorities, requires a certificate from
/// every remote side (silo port and gateway alike) and judges it by
/// <see cref="IsAcceptable"/>. Used by the silo (<see cref="DistTrainSiloExtensions.UseDistTrain"/>)
/// and by the console's cluster client.
/// </summary>
public static class ClusterTls
{
    /// <summary>This side's certificate with its private key, or null when none is configured; throws <see cref="InvalidOperationException"/> naming the file or store when it cannot be used.</summary>
    public static X509Certificate2? LoadCertificate(DistTrainTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        X509Certificate2 certificate;
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            certificate = LoadFromFile(options);
        }
        else if (!string.IsNullOrWhiteSpace(options.StoreSubject))
        {
            certificate = LoadFromStore(options);
        }
        else
        {
            return null;
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{DistTrainTlsOptions.SectionName}: the certificate '{certificate.Subject}' has no private key (set KeyPath, or use a file that holds the key).");
        }

        var now = DateTime.Now;
        if (now < certificate.NotBefore || now > certificate.NotAfter)
        {
            throw new InvalidOperationException($"{DistTrainTlsOptions.SectionName}: the certificate '{certificate.Subject}' is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now.");
        }

        return certificate;
    }

    /// <summary>The authorities in <see cref="DistTrainTlsOptions.CaPath"/>, or null to use the machine's roots.</summary>
    public static X509Certificate2Collection? LoadAuthorities(DistTrainTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.CaPath))
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(options.CaPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"{DistTrainTlsOptions.SectionName}:CaPath '{options.CaPath}' cannot be read: {e.Message}", e);
        }

        return authorities.Count > 0
            ? authorities
            : throw new InvalidOperationException($"{DistTrainTlsOptions.SectionName}:CaPath '{options.CaPath}' holds no PEM certificate.");
    }

    /// <summary>
    /// Sets Orleans' <paramref name="tls"/> from <paramref name="options"/>: this side's
    /// <paramref name="certificate"/>, a certificate required from every remote side, and
    /// <see cref="IsAcceptable"/> as the only judge of it.
    /// </summary>
    public static void Configure(TlsOptions tls, DistTrainTlsOptions options, X509Certificate2? certificate, X509Certificate2Collection? authorities)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(options);
        tls.LocalCertificate = certificate;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.HandshakeTimeout = options.HandshakeTimeout;
        tls.RemoteCertificateValidation = (remote, _, errors) => IsAcceptable(remote, errors, authorities, checkName: !string.IsNullOrWhiteSpace(options.ServerName));
        if (!string.IsNullOrWhiteSpace(options.ServerName))
        {
            string name = options.ServerName;
            tls.OnAuthenticateAsClient = (_, client) => client.TargetHost = name;
        }
    }

    /// <summary>
    /// Whether a remote <paramref name="certificate"/> is accepted: it must chain to one of
    /// <paramref name="authorities"/> (custom root trust; null: the platform's verdict on the
    /// machine's roots) at the current time, and, with <paramref name="checkName"/>, the
    /// platform must have found the expected name in it. Revocation is not checked (a private
    /// CA publishes no revocation list; rotate the CA to revoke).
    /// </summary>
    public static bool IsAcceptable(X509Certificate2? certificate, SslPolicyErrors errors, X509Certificate2Collection? authorities, bool checkName)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        if (checkName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        if (authorities is null)
        {
            return !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        try
        {
            return chain.Build(certificate);
        }
        finally
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, certificate))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }

    private static X509Certificate2 LoadFromFile(DistTrainTlsOptions options)
    {
        string path = options.CertificatePath!;
        try
        {
            string extension = Path.GetExtension(path);
            if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
            }

            return string.IsNullOrWhiteSpace(options.KeyPath)
                ? X509Certificate2.CreateFromPemFile(path)
                : X509Certificate2.CreateFromPemFile(path, options.KeyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"{DistTrainTlsOptions.SectionName}: the certificate '{path}' (key '{options.KeyPath}') cannot be loaded: {e.Message}", e);
        }
    }

    private static X509Certificate2 LoadFromStore(DistTrainTlsOptions options)
    {
        if (!Enum.TryParse(options.StoreName, ignoreCase: true, out StoreName storeName) || !Enum.TryParse(options.StoreLocation, ignoreCase: true, out StoreLocation storeLocation))
        {
            throw new InvalidOperationException($"{DistTrainTlsOptions.SectionName}: StoreName '{options.StoreName}' or StoreLocation '{options.StoreLocation}' is not a certificate store.");
        }

        using var store = new X509Store(storeName, storeLocation);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        X509Certificate2Collection found = store.Certificates.Find(X509FindType.FindBySubjectName, options.StoreSubject!, validOnly: false);
        return found.Where(c => c.HasPrivateKey).OrderByDescending(c => c.NotAfter).FirstOrDefault()
            ?? throw new InvalidOperationException($"{DistTrainTlsOptions.SectionName}: no certificate with a private key whose subject contains '{options.StoreSubject}' in {storeLocation}/{storeName}.");
    }
}
