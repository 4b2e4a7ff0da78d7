using System.Reflection;

namespace DistTrain.Kernels.Tests.Tensors;

/// <summary>Runs the samples' programs and checks what they print.</summary>
[Collection(nameof(SampleTests))]
public class SampleTests
{
    [Fact]
    public void TensorTourPrintsTheCoursesNormAndFindsTheFourHimmelblauMinima()
    {
        var output = Run("TensorTour");
        Assert.Contains("norm(ones([4,28,28,3])) = 96.99484", output);
        Assert.Contains("incompatible for broadcasting", output);
        Assert.Contains("[ 3.5844283 -1.8481264]", output);
        Assert.Contains("[3.        1.9999999]", output);
        Assert.Contains("[-3.7793102 -3.283186 ]", output);
        Assert.Contains("[-2.805118   3.1313124]", output);
    }

    [Fact]
    public void CustomModelTrainsToHighAccuracy()
    {
        var output = Run("CustomModel");
        var last = output.Split('\n').Last(l => l.StartsWith("epoch 2", StringComparison.Ordinal));
        var accuracy = double.Parse(last[(last.LastIndexOf("accuracy ", StringComparison.Ordinal) + 9)..].TrimEnd('%', ' ', '\r'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy > 90, last);
        Assert.Contains("Total params: 218,058", output);
    }

    private static string Run(string assembly)
    {
        var entry = Assembly.Load(assembly).EntryPoint!;
        var original = Console.Out;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(original);
        }

        return writer.ToString();
    }
}
