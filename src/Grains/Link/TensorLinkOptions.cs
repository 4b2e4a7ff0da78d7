namespace DistTrain.Grains.Link;

/// <summary>
/// The silo's tensor link (section <c>DistTrain:Link</c>): a TCP data plane beside Orleans'
/// messaging that carries the weight reads and gradient pushes between a worker and a
/// parameter-server slice of another silo as raw length-prefixed frames, without Orleans'
/// message serialisation (which costs far more CPU per byte). Orleans still carries every
/// control call; a worker that cannot reach a slice's link falls back to grain calls.
/// </summary>
public sealed class TensorLinkOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "DistTrain:Link";

    /// <summary>Whether this silo listens for links and its workers use them (default true; false: every transfer is a grain call).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>TCP port of the listener (0, the default: any free port, advertised to workers through the slice grains; fix it where a firewall must allow it).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>How long a worker waits to connect to another silo's link before it falls back to grain calls.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one read or push may take before the link is closed and the step fails (as an Orleans call times out).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
