// electron-builder afterPack hook: puts .native/electron-<version>/better_sqlite3.node into the app's
// resources/native/ and fails the build when it is missing or built for another CPU. CommonJS: builder require()s it.
const fs = require('node:fs');
const path = require('node:path');

// electron-builder's Arch enum, by index.
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

exports.default = async function afterPack(context) {
  const projectDir = context.packager.projectDir;
  const version = context.packager.info.framework.version;
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  if (arch !== process.arch) {
    // .native holds one build for this machine's CPU; a cross-arch package would crash on first start.
    throw new Error(
      `afterPack: the native module in .native is built for ${process.arch}, not ${arch}; package on a ${arch} machine`,
    );
  }
  const source = path.join(projectDir, '.native', `electron-${version}`, 'better_sqlite3.node');
  if (!fs.existsSync(source)) {
    throw new Error(`afterPack: ${source} is missing; run node scripts/build-native-electron.mjs first`);
  }
  const targetDir = path.join(context.packager.getResourcesDir(context.appOutDir), 'native');
  fs.mkdirSync(targetDir, { recursive: true });
  fs.copyFileSync(source, path.join(targetDir, 'better_sqlite3.node'));
};
