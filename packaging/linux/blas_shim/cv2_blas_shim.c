/* OpenCV's BLAS/LAPACK calls, served by NumPy's OpenBLAS.
 *
 * The opencv-python wheel ships its own OpenBLAS (~39 MB, LP64: 32-bit integers) for the 19
 * routines cv2 imports (matrix multiply, LU/Cholesky/QR/SVD solvers, eigenvalues). NumPy ships
 * another OpenBLAS (ILP64: 64-bit integers, symbols "scipy_<name>64_"). This library takes the
 * place of OpenCV's (same file name and soname, so cv2 loads it unchanged) and forwards each call
 * to NumPy's, widening every integer argument and narrowing what comes back (info, pivots).
 * Built by packaging/linux/slim_bundle.py; checked against the original by
 * tests/packaging/frozen_checks.py (cv2.gemm/solve/SVD/invert/eigenNonSymmetric results).
 *
 * LAPACK's Fortran interface may carry hidden string lengths after the last argument; the
 * wrappers take and pass them on (OpenBLAS's LAPACK reads only the first character).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef int32_t i32;
typedef int64_t i64;

#ifndef PFX
#define PFX scipy_
#endif
#define CAT_(a, b, c) a##b##c
#define CAT(a, b, c) CAT_(a, b, c)
#define LAPACK64(name) CAT(PFX, name, _64_)
#define CBLAS64(name) CAT(PFX, name, 64_)

/* ---- CBLAS gemm: enums stay int, sizes widen ---- */
#define GEMM(name, T, S)                                                                           \
    extern void CBLAS64(name)(int, int, int, i64, i64, i64, S, const T *, i64, const T *, i64, S, \
                              T *, i64);                                                           \
    void name(int order, int ta, int tb, i32 m, i32 n, i32 k, S alpha, const T *a, i32 lda,       \
              const T *b, i32 ldb, S beta, T *c, i32 ldc) {                                        \
        CBLAS64(name)(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);                \
    }
GEMM(cblas_sgemm, float, float)
GEMM(cblas_dgemm, double, double)
GEMM(cblas_cgemm, void, const void *)
GEMM(cblas_zgemm, void, const void *)

/* ---- LAPACK ---- */
static void narrow(i32 *dst, const i64 *src, i64 count) {
    for (i64 i = 0; i < count; i++) dst[i] = (i32)src[i];
}
static i64 min64(i64 a, i64 b) { return a < b ? a : b; }

/* xgetrf(m, n, a, lda, ipiv, info) */
#define GETRF(name, T)                                                                  \
    extern void LAPACK64(name)(i64 *, i64 *, T *, i64 *, i64 *, i64 *);                 \
    void CAT(, name, _)(i32 *m, i32 *n, T *a, i32 *lda, i32 *ipiv, i32 *info) {         \
        i64 m8 = *m, n8 = *n, lda8 = *lda, info8 = 0, k = min64(m8, n8);                 \
        i64 *ipiv8 = malloc(sizeof(i64) * (size_t)(k > 0 ? k : 1));                      \
        if (!ipiv8) { *info = -1000; return; }                                          \
        LAPACK64(name)(&m8, &n8, a, &lda8, ipiv8, &info8);                              \
        narrow(ipiv, ipiv8, k);                                                         \
        free(ipiv8);                                                                    \
        *info = (i32)info8;                                                             \
    }
GETRF(sgetrf, float)
GETRF(dgetrf, double)

/* xgesv(n, nrhs, a, lda, ipiv, b, ldb, info) */
#define GESV(name, T)                                                                           \
    extern void LAPACK64(name)(i64 *, i64 *, T *, i64 *, i64 *, T *, i64 *, i64 *);             \
    void CAT(, name, _)(i32 *n, i32 *nrhs, T *a, i32 *lda, i32 *ipiv, T *b, i32 *ldb,           \
                        i32 *info) {                                                            \
        i64 n8 = *n, nrhs8 = *nrhs, lda8 = *lda, ldb8 = *ldb, info8 = 0;                        \
        i64 *ipiv8 = malloc(sizeof(i64) * (size_t)(n8 > 0 ? n8 : 1));                           \
        if (!ipiv8) { *info = -1000; return; }                                                  \
        LAPACK64(name)(&n8, &nrhs8, a, &lda8, ipiv8, b, &ldb8, &info8);                         \
        narrow(ipiv, ipiv8, n8);                                                                \
        free(ipiv8);                                                                            \
        *info = (i32)info8;                                                                     \
    }
GESV(sgesv, float)
GESV(dgesv, double)

/* xpotrf(uplo, n, a, lda, info) */
#define POTRF(name, T)                                                                    \
    extern void LAPACK64(name)(const char *, i64 *, T *, i64 *, i64 *, size_t);           \
    void CAT(, name, _)(const char *uplo, i32 *n, T *a, i32 *lda, i32 *info, size_t l1) { \
        i64 n8 = *n, lda8 = *lda, info8 = 0;                                              \
        LAPACK64(name)(uplo, &n8, a, &lda8, &info8, l1);                                  \
        *info = (i32)info8;                                                               \
    }
POTRF(spotrf, float)
POTRF(dpotrf, double)

/* xposv(uplo, n, nrhs, a, lda, b, ldb, info) */
#define POSV(name, T)                                                                            \
    extern void LAPACK64(name)(const char *, i64 *, i64 *, T *, i64 *, T *, i64 *, i64 *,        \
                               size_t);                                                          \
    void CAT(, name, _)(const char *uplo, i32 *n, i32 *nrhs, T *a, i32 *lda, T *b, i32 *ldb,     \
                        i32 *info, size_t l1) {                                                  \
        i64 n8 = *n, nrhs8 = *nrhs, lda8 = *lda, ldb8 = *ldb, info8 = 0;                         \
        LAPACK64(name)(uplo, &n8, &nrhs8, a, &lda8, b, &ldb8, &info8, l1);                       \
        *info = (i32)info8;                                                                      \
    }
POSV(sposv, float)
POSV(dposv, double)

/* xgeqrf(m, n, a, lda, tau, work, lwork, info) */
#define GEQRF(name, T)                                                                           \
    extern void LAPACK64(name)(i64 *, i64 *, T *, i64 *, T *, T *, i64 *, i64 *);                \
    void CAT(, name, _)(i32 *m, i32 *n, T *a, i32 *lda, T *tau, T *work, i32 *lwork,             \
                        i32 *info) {                                                             \
        i64 m8 = *m, n8 = *n, lda8 = *lda, lwork8 = *lwork, info8 = 0;                           \
        LAPACK64(name)(&m8, &n8, a, &lda8, tau, work, &lwork8, &info8);                          \
        *info = (i32)info8;                                                                      \
    }
GEQRF(sgeqrf, float)
GEQRF(dgeqrf, double)

/* xgels(trans, m, n, nrhs, a, lda, b, ldb, work, lwork, info) */
#define GELS(name, T)                                                                             \
    extern void LAPACK64(name)(const char *, i64 *, i64 *, i64 *, T *, i64 *, T *, i64 *, T *,    \
                               i64 *, i64 *, size_t);                                             \
    void CAT(, name, _)(const char *trans, i32 *m, i32 *n, i32 *nrhs, T *a, i32 *lda, T *b,       \
                        i32 *ldb, T *work, i32 *lwork, i32 *info, size_t l1) {                    \
        i64 m8 = *m, n8 = *n, nrhs8 = *nrhs, lda8 = *lda, ldb8 = *ldb, lwork8 = *lwork, info8 = 0; \
        LAPACK64(name)(trans, &m8, &n8, &nrhs8, a, &lda8, b, &ldb8, work, &lwork8, &info8, l1);   \
        *info = (i32)info8;                                                                       \
    }
GELS(sgels, float)
GELS(dgels, double)

/* xgesdd(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork[8*min(m,n)], info) */
#define GESDD(name, T)                                                                            \
    extern void LAPACK64(name)(const char *, i64 *, i64 *, T *, i64 *, T *, T *, i64 *, T *,      \
                               i64 *, T *, i64 *, i64 *, i64 *, size_t);                          \
    void CAT(, name, _)(const char *jobz, i32 *m, i32 *n, T *a, i32 *lda, T *s, T *u, i32 *ldu,   \
                        T *vt, i32 *ldvt, T *work, i32 *lwork, i32 *iwork, i32 *info,             \
                        size_t l1) {                                                              \
        i64 m8 = *m, n8 = *n, lda8 = *lda, ldu8 = *ldu, ldvt8 = *ldvt, lwork8 = *lwork;           \
        i64 info8 = 0, k = 8 * min64(m8, n8);                                                     \
        (void)iwork; /* workspace only: ours is 64-bit */                                         \
        i64 *iwork8 = malloc(sizeof(i64) * (size_t)(k > 0 ? k : 1));                             \
        if (!iwork8) { *info = -1000; return; }                                                   \
        LAPACK64(name)(jobz, &m8, &n8, a, &lda8, s, u, &ldu8, vt, &ldvt8, work, &lwork8, iwork8,  \
                       &info8, l1);                                                               \
        free(iwork8);                                                                             \
        *info = (i32)info8;                                                                       \
    }
GESDD(sgesdd, float)
GESDD(dgesdd, double)

/* dgeev(jobvl, jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr, work, lwork, info) */
extern void LAPACK64(dgeev)(const char *, const char *, i64 *, double *, i64 *, double *,
                            double *, double *, i64 *, double *, i64 *, double *, i64 *, i64 *,
                            size_t, size_t);
void dgeev_(const char *jobvl, const char *jobvr, i32 *n, double *a, i32 *lda, double *wr,
            double *wi, double *vl, i32 *ldvl, double *vr, i32 *ldvr, double *work, i32 *lwork,
            i32 *info, size_t l1, size_t l2) {
    i64 n8 = *n, lda8 = *lda, ldvl8 = *ldvl, ldvr8 = *ldvr, lwork8 = *lwork, info8 = 0;
    LAPACK64(dgeev)(jobvl, jobvr, &n8, a, &lda8, wr, wi, vl, &ldvl8, vr, &ldvr8, work, &lwork8,
                    &info8, l1, l2);
    *info = (i32)info8;
}
