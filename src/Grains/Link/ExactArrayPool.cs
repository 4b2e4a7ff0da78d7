using System.Collections.Concurrent;

namespace DistTrain.Grains.Link;

/// <summary>
/// Byte arrays of exact lengths, reused: a link receives the same few payload sizes every step
/// (the bucket size and the ends of layers), and a <see cref="GradientChunk"/> or
/// <see cref="ParameterChunk"/> needs an array of exactly its length. Keeps at most
/// <see cref="PerLength"/> arrays of each length and <see cref="MaxLengths"/> lengths.
/// </summary>
internal sealed class ExactArrayPool
{
    private const int PerLength = 32;
    private const int MaxLengths = 64;
    private readonly ConcurrentDictionary<int, ConcurrentBag<byte[]>> _free = new();

    public byte[] Rent(int length)
    {
        if (length == 0)
        {
            return [];
        }

        return _free.TryGetValue(length, out var bag) && bag.TryTake(out byte[]? array) ? array : GC.AllocateUninitializedArray<byte>(length);
    }

    public void Return(byte[] array)
    {
        if (array.Length == 0 || (_free.Count >= MaxLengths && !_free.ContainsKey(array.Length)))
        {
            return;
        }

        var bag = _free.GetOrAdd(array.Length, _ => []);
        if (bag.Count < PerLength)
        {
            bag.Add(array);
        }
    }
}
