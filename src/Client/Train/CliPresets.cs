using DistTrain.Client.Cli;

namespace DistTrain.Client.Train;

/// <summary>Finds a <c>--preset</c> by name; an unknown name is a usage error (exit code 2).</summary>
internal static class CliPresets
{
    public static TrainingPreset Find(string name)
    {
        try
        {
            return TrainingPreset.Find(name);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message, ExitCodes.Usage, ex);
        }
    }
}
