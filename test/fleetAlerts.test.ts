/**
 * The fleet's alerts and km history as pure rules over hand-made rows: each threshold exactly at
 * its edge and one past it, missing dates and km, deleted records, a closed fault, two regions
 * sharing a plate's id, and the sentences in both languages with Turkish dates.
 */
import { describe, expect, it } from 'vitest'
import { addMonths, fleetAlertEntries, inspectionsToCheck, type FaultFacts, type FleetRows, type InspectionFacts, type ResultFacts, type VehicleFacts } from '../schema/fleetAlerts.ts'
import { formatCount, formatLira, turkishDate } from '../schema/fleetTexts.ts'
import { buildKmHistory } from '../schema/kmHistory.ts'

const TODAY = '2026-03-01'

function vehicle(fields: Partial<VehicleFacts> = {}): VehicleFacts {
  return {
    id: 'plate:34ABC123',
    region: 'istanbul',
    plate: '34ABC123',
    km: null,
    oil_change_km: null,
    oil_interval_km: null,
    oil_change_date: null,
    inspection_date: null,
    insurance_date: null,
    maintenance_date: null,
    updated_at: '2026-02-01T09:00:00.000Z',
    ...fields,
  }
}

const none: FleetRows = { vehicles: [], drivers: [], inspections: [], results: [], faults: [] }
const alerts = (rows: Partial<FleetRows>, today = TODAY): ReturnType<typeof fleetAlertEntries> => fleetAlertEntries({ ...none, ...rows }, today)
const kinds = (rows: Partial<FleetRows>, today = TODAY): string[] => alerts(rows, today).map((a) => `${a.kind}:${a.severity}`)

function inspection(id: string, date: string, km: number | null, fields: Partial<InspectionFacts> = {}): InspectionFacts {
  return { id, region: 'istanbul', vehicle_id: 'plate:34ABC123', inspection_date: date, km, ...fields }
}
function results(inspectionId: string, statuses: Record<string, string>, region = 'istanbul'): ResultFacts[] {
  return Object.entries(statuses).map(([item_key, status]) => ({ region, inspection_id: inspectionId, item_key, status }))
}

describe('oil change by km, from the km history', () => {
  it('soon at exactly 2,000 km left, nothing at 2,001, due at 0 and past it; the 14,000 default interval', () => {
    expect(alerts({ vehicles: [vehicle({ km: 52_000, oil_change_km: 40_000 })] })).toEqual([
      expect.objectContaining({
        kind: 'oil',
        severity: 'soon',
        table: 'vehicles',
        record: 'plate:34ABC123',
        region: 'istanbul',
        subject: '34 ABC 123',
        km_left: 2_000,
        text: { tr: '34 ABC 123: yağ değişimine 2.000 km kaldı (son değişim 40.000 km)', en: '34 ABC 123: oil change due in 2,000 km (last changed at 40,000 km)' },
      }),
    ])
    expect(kinds({ vehicles: [vehicle({ km: 51_999, oil_change_km: 40_000 })] })).toEqual([])
    expect(alerts({ vehicles: [vehicle({ km: 54_000, oil_change_km: 40_000 })] })[0]).toMatchObject({ severity: 'due', km_left: 0, text: { en: '34 ABC 123: oil change due now (last changed at 40,000 km)' } })
    expect(alerts({ vehicles: [vehicle({ km: 45_500, oil_change_km: 40_000, oil_interval_km: 5_000 })] })[0]?.text.tr).toBe('34 ABC 123: yağ değişimi 500 km geçti (son değişim 40.000 km)')
  })

  it('a blank oil_change_km is unknown, not 0; a vehicle without km raises nothing', () => {
    expect(kinds({ vehicles: [vehicle({ km: 90_000 })] })).toEqual([])
    expect(kinds({ vehicles: [vehicle({ oil_change_km: 1_000 })] })).toEqual([])
  })

  it('reads the km of a later inspection when the vehicle’s own km is older', () => {
    const rows = { vehicles: [vehicle({ km: 50_000, oil_change_km: 40_000, updated_at: '2026-01-10T08:00:00Z' })], inspections: [inspection('i1', '2026-02-16', 52_500)] }
    expect(alerts(rows)).toEqual([expect.objectContaining({ kind: 'oil', km_left: 1_500 })])
    // The km field's own stamp, when known, places the vehicle's km rather than its last edit.
    const entered = { vehicles: [vehicle({ km: 53_000, oil_change_km: 40_000, updated_at: '2026-02-20T08:00:00Z', km_entered_on: '2026-02-20' })], inspections: rows.inspections }
    expect(alerts(entered)[0]).toMatchObject({ kind: 'oil', km_left: 1_000 })
  })
})

describe('dates: inspection, insurance, maintenance, licence, oil by date', () => {
  it('soon on the day itself and exactly 30 days ahead, nothing at 31, due a day past', () => {
    expect(alerts({ vehicles: [vehicle({ inspection_date: '2026-03-31' })] })).toEqual([
      expect.objectContaining({
        kind: 'inspection_date',
        severity: 'soon',
        due_date: '2026-03-31',
        days: 30,
        text: { tr: '34 ABC 123: muayene tarihi 31.03.2026, 30 gün kaldı', en: '34 ABC 123: inspection (muayene) due 31.03.2026, in 30 days' },
      }),
    ])
    expect(kinds({ vehicles: [vehicle({ inspection_date: '2026-04-01' })] })).toEqual([])
    expect(alerts({ vehicles: [vehicle({ maintenance_date: TODAY })] })[0]?.text).toEqual({ tr: '34 ABC 123: bakım tarihi 01.03.2026, bugün', en: '34 ABC 123: maintenance due 01.03.2026, today' })
    expect(alerts({ vehicles: [vehicle({ insurance_date: '2026-02-28' })] })[0]).toMatchObject({
      severity: 'due',
      days: -1,
      text: { tr: '34 ABC 123: sigorta bitti 28.02.2026, 1 gün önce', en: '34 ABC 123: insurance expired 28.02.2026, 1 day ago' },
    })
  })

  it('a driving licence by the driver’s name; missing dates raise nothing', () => {
    const drivers = [
      { id: 'd1', region: 'istanbul', full_name: 'SİBEL ACAR', license_expiry: '2026-02-05' },
      { id: 'd2', region: 'istanbul', full_name: 'KEMAL ERDEM', license_expiry: null },
    ]
    expect(alerts({ drivers })).toEqual([
      expect.objectContaining({
        kind: 'license_expiry',
        severity: 'due',
        table: 'drivers',
        record: 'd1',
        vehicle_id: null,
        subject: 'SİBEL ACAR',
        days: -24,
        text: { tr: 'SİBEL ACAR: ehliyet bitti 05.02.2026, 24 gün önce', en: 'SİBEL ACAR: driving licence expired 05.02.2026, 24 days ago' },
      }),
    ])
  })

  it('the oil change by date falls 12 months after the last one, kept to the month’s end', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28')
    expect(addMonths('2025-03-31', 12)).toBe('2026-03-31')
    expect(alerts({ vehicles: [vehicle({ oil_change_date: '2025-03-31' })] })).toEqual([expect.objectContaining({ kind: 'oil_date', severity: 'soon', due_date: '2026-03-31', days: 30 })])
    expect(kinds({ vehicles: [vehicle({ oil_change_date: '2025-04-01' })] })).toEqual([])
    expect(alerts({ vehicles: [vehicle({ oil_change_date: '2025-02-01' })] })[0]?.text.en).toBe('34 ABC 123: oil change was due by date 01.02.2026, 28 days overdue')
  })
})

describe('inspections: an item Olumsuz in the last two', () => {
  const v = vehicle()
  const inspections = [inspection('i1', '2026-02-02', null), inspection('i2', '2026-02-09', null), inspection('i3', '2026-02-16', null)]
  const failing = [
    ...results('i1', { glass: 'Olumsuz', lights: 'Olumlu' }),
    ...results('i2', { glass: 'Olumsuz', lights: 'Olumsuz', tire_condition: 'Olumsuz' }),
    ...results('i3', { glass: 'Bilinmiyor', lights: 'Olumsuz', tire_condition: 'Olumsuz' }),
  ]

  it('names the item, the latest inspection and both dates; an older pair does not count', () => {
    const found = alerts({ vehicles: [v], inspections, results: failing })
    expect(found.map((a) => [a.kind, a.item_key, a.table, a.record])).toEqual([
      ['repeated_failure', 'lights', 'vehicle_inspections', 'i3'],
      ['repeated_failure', 'tire_condition', 'vehicle_inspections', 'i3'],
    ])
    expect(found[1]?.text).toEqual({
      tr: '34 ABC 123: Lastik durumu son iki denetimde olumsuz (09.02.2026, 16.02.2026)',
      en: '34 ABC 123: Tyre condition failed the last two inspections (09.02.2026, 16.02.2026)',
    })
  })

  it('a deleted inspection is not one of the last two; a deleted vehicle raises nothing', () => {
    const gone = inspections.map((i) => (i.id === 'i3' ? { ...i, deleted_at: '2026-02-17T08:00:00Z' } : i))
    expect(alerts({ vehicles: [v], inspections: gone, results: failing }).map((a) => a.item_key)).toEqual(['glass'])
    expect(kinds({ vehicles: [{ ...v, deleted_at: '2026-02-20T08:00:00Z' }], inspections, results: failing })).toEqual([])
    expect(kinds({ vehicles: [v], inspections: inspections.slice(0, 1), results: failing })).toEqual([])
  })

  it('two inspections of one day are ordered by id as plain text; only the latest two need their results', () => {
    const sameDay = [inspection('b', '2026-02-16', null), inspection('a', '2026-02-16', null), ...inspections]
    // b after a: the pair is i3 and b (lights), never i3 and a (tyres).
    const statuses = [...failing, ...results('a', { tire_condition: 'Olumsuz' }), ...results('b', { lights: 'Olumsuz', tire_condition: 'Olumlu' })]
    expect(inspectionsToCheck({ vehicles: [v], inspections: sameDay }).map((i) => i.id)).toEqual(['i3', 'b'])
    const all = alerts({ vehicles: [v], inspections: sameDay, results: statuses })
    expect(all.map((a) => [a.item_key, a.record])).toEqual([['lights', 'i3']])
    const wanted = new Set(inspectionsToCheck({ vehicles: [v], inspections: sameDay }).map((i) => i.id))
    expect(alerts({ vehicles: [v], inspections: sameDay, results: statuses.filter((r) => wanted.has(r.inspection_id)) })).toEqual(all)
  })

  it('the same plate in two regions is two vehicles: their inspections never pair up', () => {
    const ankara = vehicle({ region: 'ankara' })
    const rows = {
      vehicles: [v, ankara],
      inspections: [inspection('i1', '2026-02-02', null), inspection('a1', '2026-02-09', null, { region: 'ankara' })],
      results: [...results('i1', { glass: 'Olumsuz' }), ...results('a1', { glass: 'Olumsuz' }, 'ankara')],
    }
    expect(kinds(rows)).toEqual([])
  })
})

describe('faults', () => {
  const fault = (fields: Partial<FaultFacts>): FaultFacts => ({ id: 'f1', region: 'istanbul', vehicle_id: 'plate:34ABC123', title: 'Fren balatası', status: 'Acik', opened_date: '2026-01-08', closed_date: null, ...fields })

  it('every open fault, Takip included; a closed one no longer alerts; a deleted one neither', () => {
    expect(alerts({ vehicles: [vehicle()], faults: [fault({})] })).toEqual([
      expect.objectContaining({
        kind: 'open_fault',
        severity: 'due',
        table: 'vehicle_faults',
        record: 'f1',
        vehicle_id: 'plate:34ABC123',
        subject: '34 ABC 123',
        text: { tr: '34 ABC 123: açık arıza: Fren balatası, 08.01.2026 tarihinden beri', en: '34 ABC 123: open fault: Fren balatası, since 08.01.2026' },
      }),
    ])
    expect(alerts({ vehicles: [vehicle()], faults: [fault({ status: 'Takip', opened_date: null })] })[0]?.text.en).toBe('34 ABC 123: fault under follow-up: Fren balatası')
    expect(kinds({ vehicles: [vehicle()], faults: [fault({ status: 'Kapandi', closed_date: '2026-01-20' })] })).toEqual([])
    expect(kinds({ vehicles: [vehicle()], faults: [fault({ closed_date: '2026-01-20' })] })).toEqual([])
    expect(kinds({ vehicles: [vehicle()], faults: [fault({ deleted_at: '2026-01-20T08:00:00Z' })] })).toEqual([])
    expect(kinds({ vehicles: [], faults: [fault({})] })).toEqual([])
  })
})

describe('km history', () => {
  const v = { id: 'v1', km: 88_000, km_entered_on: '2026-02-20T10:00:00.000Z', oil_change_km: 80_500, oil_change_date: '2025-10-01' }

  it('sorts the readings by day, flags each drop against the reading before it, the latest is the odometer', () => {
    const history = buildKmHistory(v, [
      { id: 'i2', vehicle_id: 'v1', inspection_date: '2026-01-19', km: 151_400 },
      { id: 'i1', vehicle_id: 'v1', inspection_date: '2026-01-12', km: 85_000 },
      { id: 'x', vehicle_id: 'v2', inspection_date: '2026-01-13', km: 1 },
    ])
    expect(history.readings.map((r) => [r.date, r.km, r.source])).toEqual([
      ['2025-10-01', 80_500, 'oil_change'],
      ['2026-01-12', 85_000, 'inspection'],
      ['2026-01-19', 151_400, 'inspection'],
      ['2026-02-20', 88_000, 'vehicle'],
    ])
    expect(history.drops).toEqual([{ reading: history.readings[3], previous: history.readings[2] }])
    expect(history.current).toMatchObject({ km: 88_000, table: 'vehicles', record: 'v1' })
  })

  it('one day’s readings in ascending order (no drop within a day); a km of no known day is the latest; unreadable rows give no reading', () => {
    const sameDay = buildKmHistory({ ...v, km_entered_on: '2026-01-12' }, [{ id: 'i1', inspection_date: '2026-01-12', km: 90_000 }])
    expect(sameDay.drops).toEqual([])
    expect(sameDay.current?.km).toBe(90_000)
    const undated = buildKmHistory({ ...v, km_entered_on: null, oil_change_date: null }, [
      { id: 'i1', inspection_date: '2026-05-01', km: 95_000 },
      { id: 'i2', inspection_date: '01.05.2026', km: 96_000 },
      { id: 'i3', inspection_date: '2026-05-08', km: null },
    ])
    expect(undated.readings.map((r) => r.km)).toEqual([95_000, 88_000])
    expect(undated.drops).toHaveLength(1)
    expect(buildKmHistory({ id: 'v', km: null, km_entered_on: null, oil_change_km: null, oil_change_date: null }, []).current).toBeUndefined()
  })

  it('a drop is a check alert on the later reading’s record', () => {
    const rows = { vehicles: [vehicle({ km: 88_000, updated_at: '2026-02-20T10:00:00Z' })], inspections: [inspection('i9', '2026-01-19', 151_400)] }
    expect(alerts(rows)).toEqual([
      expect.objectContaining({
        kind: 'km_decrease',
        severity: 'check',
        table: 'vehicles',
        record: 'plate:34ABC123',
        text: {
          tr: '34 ABC 123: km geriye gitti: 151.400 km (19.01.2026) → 88.000 km (20.02.2026); okumalardan biri yanlış girilmiş olabilir',
          en: '34 ABC 123: the km went down: 151,400 km (19.01.2026) → 88,000 km (20.02.2026); one of the readings may be mistyped',
        },
      }),
    ])
  })
})

describe('order and words', () => {
  it('most pressing first, then region and plate', () => {
    const rows = {
      vehicles: [
        vehicle({ inspection_date: '2026-03-10' }),
        vehicle({ id: 'plate:06XY1', plate: '06XY1', region: 'ankara', insurance_date: '2026-02-01' }),
        vehicle({ id: 'plate:06AA1', plate: '06AA1', region: 'ankara', km: 10, updated_at: '2026-02-01T00:00:00Z' }),
      ],
      inspections: [inspection('i1', '2026-01-05', 20, { vehicle_id: 'plate:06AA1', region: 'ankara' })],
    }
    expect(alerts(rows).map((a) => `${a.severity} ${a.region} ${a.subject} ${a.kind}`)).toEqual([
      'due ankara 06 XY 1 insurance_date',
      'soon istanbul 34 ABC 123 inspection_date',
      'check ankara 06 AA 1 km_decrease',
    ])
  })

  it('Turkish dates, counts and lira', () => {
    expect(turkishDate('2026-02-10')).toBe('10.02.2026')
    expect(turkishDate('bozuk')).toBe('bozuk')
    expect([formatCount('tr', 152_300), formatCount('en', 152_300), formatCount('tr', -1_500), formatCount('tr', 999)]).toEqual(['152.300', '152,300', '-1.500', '999'])
    expect([formatLira(2450.5), formatLira(0), formatLira(1_234_567.891), formatLira(0.005)]).toEqual(['₺2.450,50', '₺0,00', '₺1.234.567,89', '₺0,01'])
  })
})
