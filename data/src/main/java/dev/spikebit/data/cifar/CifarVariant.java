package dev.spikebit.data.cifar;

import java.net.URI;
import java.util.List;

/**
 * The two CIFAR datasets in their binary versions, as published at
 * cs.toronto.edu/~kriz/cifar.html: what the archive is called, its MD5, the folder it unpacks to,
 * the files in it and how many label bytes start each record.
 */
public enum CifarVariant {
    CIFAR10(
            "CIFAR-10",
            "cifar-10-binary.tar.gz",
            "c32a1d4ab5d03f1284b67883e8d87530",
            170_052_171L,
            "cifar-10-batches-bin",
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"),
            "test_batch.bin",
            1),
    CIFAR100(
            "CIFAR-100",
            "cifar-100-binary.tar.gz",
            "03b5dce01913d631647c71ecec9e9cb8",
            168_513_733L,
            "cifar-100-binary",
            List.of("train.bin"),
            "test.bin",
            2);

    /** Where the archives are published. */
    public static final URI DOWNLOAD_BASE = URI.create("https://www.cs.toronto.edu/~kriz/");

    private final String title;
    private final String archive;
    private final String md5;
    private final long archiveBytes;
    private final String folder;
    private final List<String> trainFiles;
    private final String testFile;
    private final int labelBytes;

    CifarVariant(
            String title,
            String archive,
            String md5,
            long archiveBytes,
            String folder,
            List<String> trainFiles,
            String testFile,
            int labelBytes) {
        this.title = title;
        this.archive = archive;
        this.md5 = md5;
        this.archiveBytes = archiveBytes;
        this.folder = folder;
        this.trainFiles = trainFiles;
        this.testFile = testFile;
        this.labelBytes = labelBytes;
    }

    /** The name people use, such as {@code CIFAR-10}. */
    public String title() {
        return title;
    }

    /** The archive's file name, such as {@code cifar-10-binary.tar.gz}. */
    public String archive() {
        return archive;
    }

    public URI archiveUrl() {
        return DOWNLOAD_BASE.resolve(archive);
    }

    /** The MD5 published next to the archive. */
    public String md5() {
        return md5;
    }

    /** The archive's size in bytes, for progress and sanity checks. */
    public long archiveBytes() {
        return archiveBytes;
    }

    /** The folder the archive unpacks to, such as {@code cifar-10-batches-bin}. */
    public String folder() {
        return folder;
    }

    public List<String> trainFiles() {
        return trainFiles;
    }

    public String testFile() {
        return testFile;
    }

    /** Every data file, training files first. */
    public List<String> files() {
        var all = new java.util.ArrayList<>(trainFiles);
        all.add(testFile);
        return List.copyOf(all);
    }

    /** Label bytes before the pixels of each record: 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine). */
    public int labelBytes() {
        return labelBytes;
    }

    /** Bytes per record: the labels and 3 x 32 x 32 pixels. */
    public int recordBytes() {
        return labelBytes + CifarBinaryReader.PIXEL_BYTES;
    }
}
