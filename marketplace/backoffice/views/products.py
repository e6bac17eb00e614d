"""The shop's products: list and search, one-screen add (photo first), edit, duplicate, the bulk
price and stock table, and a variant's stock history. CATALOGUE's forms and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.forms import ProductSearchForm
from marketplace.backoffice.selectors import (
    product_of_merchant,
    products_of_merchant,
    stock_history,
    variant_of_merchant,
    variants_of_merchant,
)
from marketplace.backoffice.views.base import backoffice_render
from marketplace.catalogue.errors import ProductInvalid, ProductNotFound
from marketplace.catalogue.forms import (
    BulkEditFormSet,
    ProductForm,
    ProductUpdateKwargs,
    VariantForm,
    VariantFormSet,
)
from marketplace.catalogue.models import Product
from marketplace.catalogue.services.products import (
    product_create,
    product_duplicate,
    product_update,
    products_bulk_update,
)

PRODUCTS_PER_PAGE = 25
BULK_VARIANTS_PER_PAGE = 50
VARIANTS_PREFIX = "variants"


@require_GET
@backoffice_view()
def product_list(request: BackofficeRequest) -> HttpResponse:
    search = ProductSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    products = products_of_merchant(merchant_id=request.merchant.pk, query=query)
    page = Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    return backoffice_render(
        request,
        "backoffice/products/list.html",
        {
            "search": search,
            "query": query,
            "page": page,
            "query_string": urlencode({"q": query}) if query else "",
        },
    )


def _is_simple(product: Product) -> bool:
    """One variant without a name, size or colour: its price and stock sit in the main form."""
    variants = list(product.variants.all())
    return len(variants) == 1 and not (variants[0].name or variants[0].size or variants[0].colour)


@require_http_methods(["GET", "POST"])
@backoffice_view()
def product_add(request: BackofficeRequest) -> HttpResponse:
    """Photo, title, price, stock: one screen. Variants (sizes, colours) are optional rows."""
    merchant = request.merchant
    data = request.POST if request.method == "POST" else None
    form = ProductForm(data, request.FILES or None)
    variants = VariantFormSet(data, prefix=VARIANTS_PREFIX)
    if request.method == "POST" and form.is_valid() and variants.is_valid():
        try:
            product = product_create(
                merchant=merchant,
                actor=request.user,
                variants=variants.variant_inputs(),
                **form.service_kwargs(),
                **form.photo_kwargs(),
            )
        except ProductInvalid as error:
            form.add_service_errors(error.errors)
        else:
            messages.success(
                request, _("“%(title)s” is in your catalogue.") % {"title": product.title}
            )
            return redirect("backoffice:products")
    return backoffice_render(
        request,
        "backoffice/products/form.html",
        {"form": form, "variants": variants, "product": None},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@backoffice_view()
def product_edit(request: BackofficeRequest, pk: int) -> HttpResponse:
    merchant = request.merchant
    product = product_of_merchant(merchant_id=merchant.pk, product_id=pk)
    if product is None:
        raise Http404
    simple = _is_simple(product) and not request.GET.get("variantes")
    data = request.POST if request.method == "POST" else None
    form = ProductForm(
        data,
        request.FILES or None,
        initial=ProductForm.initial_for(product),
        single_variant=simple,
    )
    variants = None
    if not simple:
        variants = VariantFormSet(
            data,
            prefix=VARIANTS_PREFIX,
            initial=[VariantForm.initial_for(variant) for variant in product.variants.all()],
        )
    if request.method == "POST" and form.is_valid() and (variants is None or variants.is_valid()):
        kwargs: ProductUpdateKwargs = {**form.service_kwargs()}
        if variants is not None:
            kwargs["variants"] = variants.variant_inputs()
        try:
            product_update(
                merchant=merchant,
                product_id=product.pk,
                actor=request.user,
                **kwargs,
                **form.photo_kwargs(),
            )
        except ProductNotFound:
            raise Http404 from None
        except ProductInvalid as error:
            form.add_service_errors(error.errors)
        else:
            messages.success(request, _("“%(title)s” is saved.") % {"title": kwargs["title"]})
            return redirect("backoffice:product_edit", pk=product.pk)
    return backoffice_render(
        request,
        "backoffice/products/form.html",
        {"form": form, "variants": variants, "product": product, "simple": simple},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@backoffice_view()
def product_copy(request: BackofficeRequest, pk: int) -> HttpResponse:
    try:
        copy = product_duplicate(merchant=request.merchant, product_id=pk, actor=request.user)
    except ProductNotFound:
        raise Http404 from None
    messages.success(
        request,
        _("A copy was made, hidden from shoppers until you publish it: check it, then save."),
    )
    return redirect("backoffice:product_edit", pk=copy.pk)


@require_http_methods(["GET", "POST"])
@backoffice_view()
def products_bulk(request: BackofficeRequest) -> HttpResponse:
    """Every variant's price and stock in one table; only the changed cells are saved."""
    merchant = request.merchant
    page = Paginator(
        variants_of_merchant(merchant_id=merchant.pk), BULK_VARIANTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    page_variants = list(page.object_list)
    formset = BulkEditFormSet(
        request.POST if request.method == "POST" else None,
        initial=BulkEditFormSet.initial_for(page_variants),
        prefix="bulk",
    )
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            changed = products_bulk_update(
                merchant=merchant, changes=formset.changes(), actor=request.user
            )
        except ProductInvalid as error:
            errors = [message for messages_ in error.errors.values() for message in messages_]
        else:
            messages.success(
                request,
                ngettext("%(count)d variant updated.", "%(count)d variants updated.", changed)
                % {"count": changed},
            )
            return redirect(request.get_full_path())
    return backoffice_render(
        request,
        "backoffice/products/bulk.html",
        {
            "page": page,
            "formset": formset,
            "rows": list(zip(formset.forms, page_variants, strict=False)),
            "errors": errors,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@backoffice_view()
def variant_stock(request: BackofficeRequest, pk: int) -> HttpResponse:
    variant = variant_of_merchant(merchant_id=request.merchant.pk, variant_id=pk)
    if variant is None:
        raise Http404
    return backoffice_render(
        request,
        "backoffice/products/stock.html",
        {"variant": variant, "movements": stock_history(variant_id=variant.pk)},
    )
