namespace Hcr.MLNet.Data;

/// <summary>The six EMNIST splits published by NIST (Cohen et al., 2017).</summary>
public enum EmnistSplit
{
    /// <summary>47 classes (digits, upper case, and the 11 lower-case letters that differ from their capitals), equal count per class.</summary>
    Balanced,

    /// <summary>62 classes (digits, upper case and lower case), unbalanced.</summary>
    ByClass,

    /// <summary>The same 47 classes as <see cref="Balanced"/>, unbalanced (every image of NIST SD 19).</summary>
    ByMerge,

    /// <summary>10 digit classes, balanced.</summary>
    Digits,

    /// <summary>26 letter classes, upper and lower case merged; the files label them 1 to 26.</summary>
    Letters,

    /// <summary>10 digit classes in the MNIST layout (60,000 train and 10,000 test images).</summary>
    Mnist,
}

/// <summary>The part of an EMNIST split: the official train or test files.</summary>
public enum EmnistPart
{
    /// <summary>The official training images.</summary>
    Train,

    /// <summary>The official test images.</summary>
    Test,
}
