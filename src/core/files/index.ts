// Writes that never follow a link out of their folder; private modes; the project data folder.
export {
  isInside,
  makePrivateDir,
  makePrivateDirSync,
  openPrivateFile,
  openPrivateFileSync,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  PROJECT_DATA_DIR,
  UnsafePathError,
  writePrivateFile,
  writePrivateFileSync,
  writeRootFor,
  type WriteMode,
} from './safeFiles';
