#!/bin/sh
# almyty-auth installer: curl -fsSL <release>/install.sh | sh
#
# Environment:
#   ALMYTY_INSTALL_DIR       where to put the binary (default ~/.almyty/bin)
#   ALMYTY_VERSION           a release to pin, e.g. 0.1.0 (default: the latest)
#   ALMYTY_INSTALL_BASE_URL  the folder holding one release's assets (overrides both)
set -eu

REPO_URL="https://github.com/almyty/almyty-auth/releases"

say() { printf '%s\n' "$*" >&2; }
fail() { say "almyty-auth install: $*"; exit 1; }

RELEASES_PAGE="https://github.com/almyty/almyty-auth/releases"

# glibc is asked first: a glibc system may have Debian's musl package installed
# (/lib/ld-musl-*), and it runs our binaries fine.
libc() {
  if getconf GNU_LIBC_VERSION >/dev/null 2>&1 || ldd --version 2>&1 | grep -qiE 'glibc|gnu libc'; then
    echo glibc
  elif ls /lib/ld-musl-* >/dev/null 2>&1 || ldd --version 2>&1 | grep -qi musl; then
    echo musl
  else
    echo unknown
  fi
}

detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    arm64 | aarch64) arch=aarch64 ;;
    *) fail "there is no almyty-auth build for the $arch CPU (builds: x86_64, arm64 on Linux and macOS; x86_64 on Windows). See $RELEASES_PAGE" ;;
  esac
  case "$os" in
    Darwin)
      # A shell under Rosetta reports x86_64 on Apple silicon; the native binary is better.
      if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
        arch=aarch64
      fi
      echo "$arch-apple-darwin" ;;
    Linux)
      if [ "$(libc)" = musl ]; then
        fail "this Linux uses musl libc (e.g. Alpine), and this build of almyty-auth needs glibc; npm's packages carry the same binaries. Use a glibc-based system or image (Debian, Ubuntu, Fedora; e.g. node:20-slim instead of node:20-alpine). See $RELEASES_PAGE"
      fi
      echo "$arch-unknown-linux-gnu" ;;
    MINGW* | MSYS* | CYGWIN*)
      fail "on Windows, download almyty-auth-x86_64-pc-windows-msvc.zip from $RELEASES_PAGE/latest, or run: npx @almyty/auth login" ;;
    *) fail "there is no almyty-auth build for $os (builds: Linux with glibc, macOS, Windows). See $RELEASES_PAGE" ;;
  esac
}

download() { # url file
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1" || fail "download failed: $1 (does this release exist? check ALMYTY_VERSION)"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || fail "download failed: $1 (does this release exist? check ALMYTY_VERSION)"
  else
    fail "neither curl nor wget is installed; install one of them and run this again"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    fail "neither sha256sum nor shasum is available to verify the download"
  fi
}

main() {
  if [ -z "${ALMYTY_INSTALL_DIR:-}" ] && [ -z "${HOME:-}" ]; then
    fail "HOME is not set, so there is no ~/.almyty/bin to install to; set HOME, or ALMYTY_INSTALL_DIR to a folder you can write"
  fi
  target=$(detect_target)
  archive="almyty-auth-$target.tar.gz"
  if [ -n "${ALMYTY_INSTALL_BASE_URL:-}" ]; then
    base=${ALMYTY_INSTALL_BASE_URL%/}
  elif [ -n "${ALMYTY_VERSION:-}" ]; then
    base="$REPO_URL/download/v${ALMYTY_VERSION#v}"
  else
    base="$REPO_URL/latest/download"
  fi
  dir=${ALMYTY_INSTALL_DIR:-$HOME/.almyty/bin}

  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t almyty-auth)
  # Clean up on the way out; an interrupt ends the install there (nothing half-done stays).
  trap 'rm -rf "$tmp" "$dir/.almyty-auth.$$"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  say "Downloading $archive for $target ..."
  download "$base/$archive" "$tmp/$archive"
  download "$base/SHA256SUMS" "$tmp/SHA256SUMS"
  expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")
  [ -n "$expected" ] || fail "SHA256SUMS has no entry for $archive"
  actual=$(sha256 "$tmp/$archive")
  [ "$expected" = "$actual" ] || fail "checksum mismatch for $archive (expected $expected, got $actual); nothing was installed"

  tar -xzf "$tmp/$archive" -C "$tmp" almyty-auth || fail "$archive does not hold almyty-auth"
  if [ -z "${ALMYTY_INSTALL_DIR:-}" ] && [ ! -d "$HOME/.almyty" ]; then
    # ~/.almyty also holds the credentials: private from the start, whatever the umask (under
    # umask 002 it would be 775, and the CLI refuses a folder others can write).
    (umask 077 && mkdir -p "$HOME/.almyty") 2>/dev/null ||
      fail "cannot create $HOME/.almyty; set ALMYTY_INSTALL_DIR to a folder you can write"
  fi
  # No one else may replace the binary: the folder is not group-writable either.
  (umask 022 && mkdir -p "$dir") 2>/dev/null ||
    fail "cannot create $dir; set ALMYTY_INSTALL_DIR to a folder you can write"
  [ -w "$dir" ] || fail "$dir is not writable; set ALMYTY_INSTALL_DIR to a folder you can write"
  # Copy beside the target, then rename: never a partial binary at the final path.
  cp "$tmp/almyty-auth" "$dir/.almyty-auth.$$" || fail "cannot write to $dir"
  chmod 755 "$dir/.almyty-auth.$$"
  mv -f "$dir/.almyty-auth.$$" "$dir/almyty-auth"

  say "Installed $("$dir/almyty-auth" --version 2>/dev/null || echo almyty-auth) to $dir/almyty-auth"
  case ":${PATH:-}:" in
    *":$dir:"*) say "Run: almyty-auth login" ;;
    *)
      case "$(basename "${SHELL:-sh}")" in
        bash)
          # macOS's Terminal starts login shells, which read ~/.bash_profile, never ~/.bashrc.
          if [ "$(uname -s)" = Darwin ]; then
            line="echo 'export PATH=\"$dir:\$PATH\"' >> ~/.bash_profile"
          else
            line="echo 'export PATH=\"$dir:\$PATH\"' >> ~/.bashrc"
          fi ;;
        zsh) line="echo 'export PATH=\"$dir:\$PATH\"' >> ~/.zshrc" ;;
        fish) line="fish_add_path '$dir'" ;;
        *) line="echo 'export PATH=\"$dir:\$PATH\"' >> ~/.profile" ;;
      esac
      say "$dir is not on your PATH. Add it with:"
      say "  $line"
      say "then open a new shell and run: almyty-auth login" ;;
  esac
}

# Last line: a download cut short runs nothing at all.
main "$@"
