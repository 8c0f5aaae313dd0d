namespace Hcr.MLNet.Imaging;

/// <summary>Which way round ink and paper are.</summary>
public enum InkPolarity
{
    /// <summary>Decide from the image: the border is taken as background (see <see cref="InkNormalizer"/>).</summary>
    Auto,

    /// <summary>Dark ink on light paper (pen on paper, most scans and photos).</summary>
    DarkOnLight,

    /// <summary>Light ink on a dark background (chalk on a blackboard, EMNIST tiles themselves).</summary>
    LightOnDark,
}
