namespace DistTrain.Silo.Security;

/// <summary>
/// Transport security of a cluster (section <c>DistTrain:Tls</c>, read by silos and by the
/// <c>disttrain</c> console): TLS between silos and between clients and gateways, with mutual
/// authentication — every side presents a certificate, and a peer is accepted only when its
/// certificate chains to <see cref="CaPath"/> (or, without one, to the machine's trusted roots),
/// is within its validity period and, when <see cref="ServerName"/> is set, a server's
/// certificate carries that name. Off unless <see cref="Enabled"/>; the configurations in
/// <c>deploy/</c> turn it on.
/// </summary>
public sealed class DistTrainTlsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "DistTrain:Tls";

    /// <summary>Whether connections use TLS. A silo needs a certificate; a console without one can connect only to silos that do not require client certificates (DistTrain silos always do).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// This side's certificate: a PEM file (with <see cref="KeyPath"/>, or the key in the same
    /// file) or a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with <see cref="CertificatePassword"/>).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>; empty when the key is in the certificate file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of a PKCS#12 <see cref="CertificatePath"/>.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Instead of a file: the subject (as in <c>CN=…</c>, or a part of it) of a certificate in the OS store <see cref="StoreName"/>/<see cref="StoreLocation"/>.</summary>
    public string? StoreSubject { get; set; }

    /// <summary>The OS certificate store searched for <see cref="StoreSubject"/> (a <c>System.Security.Cryptography.X509Certificates.StoreName</c>).</summary>
    public string StoreName { get; set; } = "My";

    /// <summary><c>CurrentUser</c> or <c>LocalMachine</c>.</summary>
    public string StoreLocation { get; set; } = "CurrentUser";

    /// <summary>
    /// PEM file of the certificate authorities whose certificates are accepted (the cluster's
    /// own CA). Empty trusts the machine's root store, which accepts any publicly issued
    /// certificate: set it for a cluster.
    /// </summary>
    public string? CaPath { get; set; }

    /// <summary>When set, a server (silo) certificate must carry this DNS name; clients and silos ask for it (SNI).</summary>
    public string? ServerName { get; set; }

    /// <summary>How long a TLS handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether a certificate is configured, from a file or from the store.</summary>
    public bool HasCertificate => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(StoreSubject);
}
