//! The search index's folder as tantivy sees it: tantivy's own mapped directory, except that the document
//! stores (`.store`, each page's stored text, which snippets are cut from) are read with `pread` block by
//! block instead of mapped.
//!
//! A mapped file's pages that a search reads stay in the server's resident memory: on the flat 10,000-page
//! wiki, 150 searches left 10.7 of its 12.1 MiB document store resident (each result reads a block, and
//! results are spread over the whole store). Read into a buffer, a block is decompressed into tantivy's
//! block cache and the buffer freed. Term dictionaries and postings, which searches use in place, stay
//! mapped (they were 3 MiB resident after the same searches).

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};

/// The files read with `pread` rather than mapped: tantivy's document stores.
const READ_NOT_MAPPED: &str = "store";

/// [`MmapDirectory`], with document stores read through [`ReadAtFile`].
#[derive(Debug, Clone)]
pub struct IndexDirectory {
    mapped: MmapDirectory,
    root: PathBuf,
}

impl IndexDirectory {
    pub fn open(root: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        Ok(IndexDirectory { mapped: MmapDirectory::open(root)?, root: root.to_path_buf() })
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if !cfg!(unix) || path.extension().is_none_or(|it| it != READ_NOT_MAPPED) {
            return self.mapped.get_file_handle(path);
        }
        let file = File::open(self.root.join(path)).map_err(|err| match err.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(err, path.to_path_buf()),
        })?;
        let len = file.metadata().map_err(|err| OpenReadError::wrap_io_error(err, path.to_path_buf()))?.len();
        let len = usize::try_from(len).map_err(|_| {
            OpenReadError::wrap_io_error(io::Error::other("file larger than memory"), path.to_path_buf())
        })?;
        Ok(Arc::new(ReadAtFile { file, len }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(watch_callback)
    }
}

/// A file of the index read with `pread` as tantivy asks for ranges of it. tantivy's files are written once
/// and never changed; one deleted (after a merge) stays readable through the open handle, as a mapping would.
#[derive(Debug)]
struct ReadAtFile {
    file: File,
    len: usize,
}

impl FileHandle for ReadAtFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{range:?} of {} bytes", self.len)));
        }
        let mut buffer = vec![0; range.len()];
        read_exact_at(&self.file, &mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

impl HasLen for ReadAtFile {
    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

// Elsewhere every file stays mapped (`IndexDirectory::get_file_handle`).
#[cfg(not(unix))]
fn read_exact_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_stores_are_read_by_range_and_other_files_mapped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("segment.store"), b"0123456789").unwrap();
        std::fs::write(dir.path().join("segment.term"), b"terms").unwrap();
        let directory = IndexDirectory::open(dir.path()).unwrap();

        let store = directory.get_file_handle(Path::new("segment.store")).unwrap();
        assert_eq!(store.len(), 10);
        assert_eq!(store.read_bytes(2..5).unwrap().as_slice(), b"234");
        assert_eq!(store.read_bytes(0..10).unwrap().as_slice(), b"0123456789");
        assert!(store.read_bytes(4..4).unwrap().is_empty());
        assert!(store.read_bytes(8..11).is_err(), "past the end");
        // Deleted (as after a merge), an open file stays readable, as a mapped one does.
        directory.delete(Path::new("segment.store")).unwrap();
        assert_eq!(store.read_bytes(7..10).unwrap().as_slice(), b"789");

        let terms = directory.get_file_handle(Path::new("segment.term")).unwrap();
        assert_eq!(terms.read_bytes(1..4).unwrap().as_slice(), b"erm");
        // What the server maps: the term file, not the store, whose pages would stay resident once read.
        #[cfg(target_os = "linux")]
        {
            let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
            let mapped = |name: &str| maps.contains(&dir.path().join(name).display().to_string());
            assert!(mapped("segment.term"), "{maps}");
            assert!(!mapped("segment.store"), "{maps}");
        }
        assert!(matches!(
            directory.get_file_handle(Path::new("missing.store")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}
