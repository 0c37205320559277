using MiaLab.Core.Randomness;
using MiaLab.Core.Runs;

namespace MiaLab.Torch.Models;

/// <summary>
/// A layer holding the weights of K models stacked along its first dimension. Each model's
/// slice is initialised from that model's own random stream, so a model gets the same initial
/// weights whether it trains alone (K = 1) or beside others.
/// </summary>
internal interface IStackedLayer
{
    void Initialize(int model, StableRandom random);
}
