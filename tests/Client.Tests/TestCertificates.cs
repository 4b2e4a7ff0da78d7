using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DistTrain.Client.Tests;

/// <summary>
/// Certificates for the TLS tests: the cluster's own, made by <c>deploy/make-test-certs.sh</c>
/// (so the script is tested too), and the ones the silos must refuse, made here: one from
/// another CA, and an expired one from the cluster's CA.
/// </summary>
internal static class TestCertificates
{
    /// <summary>Runs <c>deploy/make-test-certs.sh <paramref name="directory"/></c>.</summary>
    public static async Task MakeWithScriptAsync(string directory)
    {
        string script = Path.Combine(RepositoryRoot(), "deploy", "make-test-certs.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{script} failed ({process.ExitCode}): {error}");
    }

    /// <summary>A client certificate signed by the CA in <paramref name="caCertificate"/>/<paramref name="caKey"/>, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>, written as PEM.</summary>
    public static (string Certificate, string Key) IssueClient(string caCertificate, string caKey, DateTimeOffset notBefore, DateTimeOffset notAfter, string directory, string name)
    {
        using var ca = X509Certificate2.CreateFromPemFile(caCertificate, caKey);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        // Signed through a generator: the overload taking the CA certificate refuses dates outside the CA's own validity.
        using var caPrivate = ca.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"{caKey} is not an ECDSA key");
        if (ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any())
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        }

        using var signed = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caPrivate), notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        using var certificate = signed.CopyWithPrivateKey(key);
        return Write(certificate, key, directory, name);
    }

    /// <summary>A CA of its own (written as <c>{name}-ca.pem</c>/<c>.key</c>) and a client certificate it signed.</summary>
    public static (string Certificate, string Key) IssueFromOtherCa(string directory, string name)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name} CA", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var (caPem, caKeyPem) = Write(ca, caKey, directory, $"{name}-ca");
        return IssueClient(caPem, caKeyPem, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), directory, name);
    }

    private static (string Certificate, string Key) Write(X509Certificate2 certificate, ECDsa key, string directory, string name)
    {
        string certificatePath = Path.Combine(directory, $"{name}.pem");
        string keyPath = Path.Combine(directory, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>The checkout this test build came from (the folder holding deploy/).</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "deploy", "make-test-certs.sh")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"deploy/make-test-certs.sh not found above {AppContext.BaseDirectory}.");
    }
}
