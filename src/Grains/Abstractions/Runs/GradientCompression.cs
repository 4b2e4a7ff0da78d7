namespace DistTrain.Grains;

/// <summary>How a worker encodes the gradients it pushes to the parameter server.</summary>
[GenerateSerializer, Alias("DistTrain.GradientCompression")]
public enum GradientCompression
{
    /// <summary>float32, exact: results are bit-identical to the local loop for every worker count.</summary>
    None,

    /// <summary>
    /// bfloat16 (the top 16 bits of a float32, rounded to nearest even) with error feedback:
    /// each worker adds the rounding error of its last push to the next one. Half the bytes;
    /// results depend on the worker count, and are the same among runs with the same setting.
    /// </summary>
    Bf16,
}
