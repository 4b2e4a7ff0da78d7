namespace DistTrain.Kernels.Data;

/// <summary>The four files of an MNIST-style data set.</summary>
public sealed record MnistFiles(RemoteFile TrainImages, RemoteFile TrainLabels, RemoteFile TestImages, RemoteFile TestLabels)
{
    /// <summary>All four, training first.</summary>
    public IReadOnlyList<RemoteFile> All => [TrainImages, TrainLabels, TestImages, TestLabels];
}
