namespace DistTrain.Kernels.Saving;

/// <summary>A saved model or weights file is missing, corrupt (checksum), of another format, or does not fit the model.</summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ModelFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
