using MiaLab.Core.Models;

namespace MiaLab.Core.Translation;

/// <summary>
/// A backbone ready for the predictability stage: the model, the four stages its features come from
/// (null = its last four capture points that give feature maps, <see cref="PredictabilityScores.FeatureStages"/>),
/// and what predictability.json says about it. Disposing it disposes the model.
/// </summary>
public sealed record PredictabilityBackbone(IModel Model, IReadOnlyList<string>? Stages, BackboneRecord Record) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
