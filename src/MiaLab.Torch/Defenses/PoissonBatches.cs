using MiaLab.Core.Privacy;
using MiaLab.Core.Randomness;
using MiaLab.Torch.Training;

namespace MiaLab.Torch.Defenses;

/// <summary>
/// Poisson sampling (DP-SGD's sampling, the one its accountant assumes): each of an epoch's
/// round(1/q) batches takes every training sample independently with probability q, drawn from the
/// model's own stream, so batch sizes vary around q·N and a batch may be empty.
/// </summary>
public sealed class PoissonBatches(double sampleRate) : IBatchSampler
{
    public IReadOnlyList<int[]> Batches(int model, int epoch, int[] trainSet, int batchSize, StableRandom random)
    {
        int count = DpSgdPrivacy.BatchesPerEpoch(sampleRate);
        var batches = new List<int[]>(count);
        var batch = new List<int>((int)(sampleRate * trainSet.Length * 1.5) + 8);
        for (int s = 0; s < count; s++)
        {
            batch.Clear();
            foreach (int sample in trainSet)
                if (random.NextDouble() < sampleRate) batch.Add(sample);
            batches.Add(batch.ToArray());
        }
        return batches;
    }
}
