package dev.spikebit.data;

/**
 * The first images of real Fashion-MNIST's train and test splits, for tests that train briefly;
 * without the Debian package the test fails or, opted out, is skipped ({@link RealData}).
 *
 * @param train the first training images
 * @param test  the first test images
 */
public record FashionMnistSubset(ArrayDataset train, ArrayDataset test) {
    public static FashionMnistSubset load(int trainImages, int testImages) {
        RealData.requireFashionMnist();
        var data = DatasetChoice.load(DatasetName.FASHION_MNIST, null, trainImages, testImages);
        return new FashionMnistSubset((ArrayDataset) data.train(), (ArrayDataset) data.test());
    }
}
